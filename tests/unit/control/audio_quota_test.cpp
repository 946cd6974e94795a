// An account's uploads: which are released, used again or swept, and what its quota admits.

#include <gtest/gtest.h>

#include "control/audio_quota.hpp"

namespace ivrcast {
namespace {

wire::AudioUse use(const char* id, uint64_t bytes, int64_t released_at_ms = 0) {
  wire::AudioUse u;
  u.set_account_id("a1");
  u.set_audio_id(id);
  u.set_bytes(bytes);
  u.set_released_at_ms(released_at_ms);
  return u;
}

std::vector<std::string> ids(const std::vector<wire::AudioUse>& us) {
  std::vector<std::string> out;
  for (const auto& u : us)
    out.push_back(u.audio_id());
  return out;
}

TEST(AudioQuotaTest, PlanByTable) {
  constexpr int64_t grace = control::audio_sweep_grace_ms;
  constexpr int64_t now = 10 * grace;
  struct row {
    const char* name;
    wire::AudioUse upload;
    bool used;
    const char* outcome;  // release, reuse, sweep, keep
  };
  const std::vector<row> rows{
      {"in use stays", use("x", 1), true, "keep"},
      {"unused is released now", use("x", 1), false, "release"},
      {"released and used again is taken back", use("x", 1, now - 5), true, "reuse"},
      {"released within the grace is kept", use("x", 1, now - grace + 1), false, "keep"},
      {"released for the whole grace is swept", use("x", 1, now - grace), false, "sweep"},
      {"released long ago but used again is not swept", use("x", 1, now - 3 * grace), true,
       "reuse"},
  };
  for (const auto& r : rows) {
    std::set<std::string> used;
    if (r.used)
      used.insert("x");
    std::vector<wire::AudioUse> ledger{r.upload};
    auto plan = control::plan_audio(ledger, used, now);
    std::string got = !plan.release.empty() ? "release"
                      : !plan.reuse.empty() ? "reuse"
                      : !plan.sweep.empty() ? "sweep"
                                            : "keep";
    EXPECT_EQ(got, r.outcome) << r.name;
    if (!plan.release.empty()) {
      EXPECT_EQ(plan.release[0].released_at_ms(), now) << r.name;
    }
    if (!plan.reuse.empty()) {
      EXPECT_EQ(plan.reuse[0].released_at_ms(), 0) << r.name;
    }
  }
}

TEST(AudioQuotaTest, EveryUploadNotSweptCountsAndTheSameFileCostsNothing) {
  std::vector<wire::AudioUse> ledger{use("a", 600), use("b", 300, 5)};  // b released, not swept
  EXPECT_EQ(control::stored_bytes(ledger), 900u);
  EXPECT_TRUE(control::fits_quota(ledger, "c", 100, 1000));
  EXPECT_FALSE(control::fits_quota(ledger, "c", 101, 1000));
  EXPECT_TRUE(control::fits_quota(ledger, "a", 600, 1000)) << "stored already";
  auto plan = control::plan_audio(ledger, {"a"}, 5 + control::audio_sweep_grace_ms);
  EXPECT_EQ(ids(plan.sweep), std::vector<std::string>{"b"});
}

}  // namespace
}  // namespace ivrcast
