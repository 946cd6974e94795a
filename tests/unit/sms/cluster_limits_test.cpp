// The pure rules that make carrier limits and the abuse guard hold for a whole cluster.
#include <gtest/gtest.h>

#include <map>
#include <numeric>

#include "sms/abuse_window.hpp"
#include "sms/bind_plan.hpp"

namespace ivrcast::sms {
namespace {

TEST(BindPlanTest, SlotsAndHomesForEveryShapeOfPartitionsAndBinds) {
  struct row {
    int partitions;
    int connections;
    std::vector<std::vector<int>> slots;  // per partition
    std::vector<int32_t> homes;           // per partition
  };
  const row rows[] = {
      {6, 6, {{0}, {1}, {2}, {3}, {4}, {5}}, {0, 1, 2, 3, 4, 5}},
      {6, 2, {{0}, {1}, {}, {}, {}, {}}, {0, 1, 0, 1, 0, 1}},
      {6, 1, {{0}, {}, {}, {}, {}, {}}, {0, 0, 0, 0, 0, 0}},
      {6, 8, {{0, 6}, {1, 7}, {2}, {3}, {4}, {5}}, {0, 1, 2, 3, 4, 5}},
      {4, 3, {{0}, {1}, {2}, {}}, {0, 1, 2, 0}},
      {1, 4, {{0, 1, 2, 3}}, {0}},
  };
  for (const auto& r : rows) {
    bind_plan plan{r.partitions, r.connections};
    SCOPED_TRACE(std::to_string(r.partitions) + " partitions, " + std::to_string(r.connections) +
                 " binds");
    int total = 0;
    for (int32_t p = 0; p < r.partitions; ++p) {
      EXPECT_EQ(plan.slots(p), r.slots[static_cast<size_t>(p)]) << "partition " << p;
      EXPECT_EQ(plan.home(p), r.homes[static_cast<size_t>(p)]) << "partition " << p;
      EXPECT_FALSE(plan.slots(plan.home(p)).empty()) << "every job's home has a bind";
      for (auto s : plan.slots(p))
        EXPECT_EQ(plan.partition_of(s), p);
      total += static_cast<int>(plan.slots(p).size());
    }
    EXPECT_EQ(total, r.connections) << "the cluster holds exactly the contract's binds";
  }
}

TEST(BindPlanTest, AnySplitOfThePartitionsOverNodesSharesExactlyTheBindsAndTheRate) {
  bind_plan plan{6, 4};
  // Every way of giving 6 partitions to 3 nodes (3^6 assignments).
  for (int code = 0; code < 729; ++code) {
    std::array<std::vector<int32_t>, 3> owned;
    for (int p = 0, c = code; p < 6; ++p, c /= 3)
      owned[static_cast<size_t>(c % 3)].push_back(p);
    int binds = 0;
    double rate = 0;
    for (const auto& o : owned) {
      binds += plan.binds(o);
      rate += plan.rate_share(100, plan.binds(o));
    }
    ASSERT_EQ(binds, 4) << code;
    ASSERT_DOUBLE_EQ(rate, 100.0) << code;
  }
  EXPECT_DOUBLE_EQ(plan.rate_share(100, 1), 25.0);
}

TEST(AbuseWindowTest, AtMostNWithinTheWindowAndReplaysDecideAlike) {
  abuse_window guard{3, 600'000};
  struct row {
    const char* message;
    int64_t at_ms;
    bool allowed;
    size_t recorded;  // entries afterwards
  };
  const row rows[] = {
      {"m1", 0, true, 1},         {"m2", 1000, true, 2},
      {"m3", 2000, true, 3},      {"m4", 3000, false, 3},  // the fourth within 10 minutes
      {"m2", 1000, true, 3},      // a replay of an allowed one: allowed, not counted again
      {"m5", 599'999, false, 3},  // m1 is still inside the window
      {"m6", 600'000, true, 3},   // m1 has left it: dropped from the record
      {"m7", 600'500, false, 3},  {"m8", 601'000, true, 3},  // m2 has left it
      {"m9", 1'300'000, true, 1},                            // long after: only itself
  };
  std::vector<allowed_sms> recorded;
  for (const auto& r : rows) {
    EXPECT_EQ(guard.decide(recorded, r.message, r.at_ms), r.allowed) << r.message;
    EXPECT_EQ(recorded.size(), r.recorded) << r.message;
  }
  EXPECT_EQ(guard_key("05011110001", "09012345678"), "guard/05011110001/09012345678");
}

}  // namespace
}  // namespace ivrcast::sms
