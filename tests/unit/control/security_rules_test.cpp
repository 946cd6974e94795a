// The pure pieces of the control plane: password rules and hashing, CIDR allowlists, WAV checks.

#include <gtest/gtest.h>

#include <algorithm>
#include <initializer_list>

#include "control/api_internal.hpp"
#include "control/audio.hpp"
#include "control/cidr.hpp"
#include "control/passwords.hpp"
#include "control/role_grants.hpp"
#include "control/throttle.hpp"

namespace ivrcast {
namespace {

std::vector<std::string> codes(std::string_view pw) {
  std::vector<std::string> out;
  for (const auto& r : control::password_problems(pw))
    out.push_back(r.code);
  return out;
}

TEST(PasswordRulesTest, EachRuleHasItsOwnCode) {
  EXPECT_TRUE(codes("Good#Pass2026").empty());
  EXPECT_EQ(codes("Aa1#aaaaa"), std::vector<std::string>{"password_too_short"});
  EXPECT_EQ(codes("Aa1# aaaaaa"), std::vector<std::string>{"password_has_whitespace"});
  EXPECT_EQ(codes("Aa1#aaaaaa\xE3\x80\x80"), std::vector<std::string>{"password_has_whitespace"});
  EXPECT_EQ(codes("aa1#aaaaaa"), std::vector<std::string>{"password_needs_upper"});
  EXPECT_EQ(codes("AA1#AAAAAA"), std::vector<std::string>{"password_needs_lower"});
  EXPECT_EQ(codes("Aab#aaaaaa"), std::vector<std::string>{"password_needs_digit"});
  EXPECT_EQ(codes("Aa1aaaaaaa"), std::vector<std::string>{"password_needs_symbol"});
  EXPECT_EQ(codes("").size(), 5u);
  // Ten characters, not ten bytes: multi-byte letters count once.
  EXPECT_EQ(codes("Aa1#あいうえお"), std::vector<std::string>{"password_too_short"});
}

TEST(PasswordRulesTest, TemporaryPasswordsMeetTheRulesAndHashesVerify) {
  for (int i = 0; i < 50; ++i)
    EXPECT_TRUE(codes(control::temporary_password()).empty());
  control::hash_cost cheap{1, 8};
  auto h = control::hash_password("Good#Pass2026", cheap);
  EXPECT_TRUE(h.starts_with("$argon2id$"));
  EXPECT_TRUE(control::verify_password(h, "Good#Pass2026"));
  EXPECT_FALSE(control::verify_password(h, "Good#Pass2027"));
  EXPECT_FALSE(control::verify_password("", "Good#Pass2026"));
  EXPECT_NE(control::hash_password("Good#Pass2026", cheap), h) << "hashes are salted";
}

TEST(PasswordRulesTest, AFailedHashNeverStoresAnEmptyPassword) {
  wire::User u;
  u.set_password_hash("previous");
  // An operations limit below libsodium's minimum: hashing fails at once, as out of memory would.
  EXPECT_FALSE(control::set_temporary_password(u, {0, 8}, 1000));
  EXPECT_EQ(u.password_hash(), "previous");
  EXPECT_EQ(u.temporary_until_ms(), 0);
  auto pw = control::set_temporary_password(u, {1, 8}, 1000);
  ASSERT_TRUE(pw);
  EXPECT_TRUE(control::verify_password(u.password_hash(), *pw));
  EXPECT_GT(u.temporary_until_ms(), 1000);
}

TEST(ApiErrorsTest, AnInternalErrorKeepsItsDetailInTheLog) {
  auto r = control::internal(
      caf::make_error(errc::storage_failure, "rocksdb.get", "IO error: /var/lib/ivrcast/db/7.sst"));
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(r.body.find("/var/lib"), std::string::npos) << r.body;
  EXPECT_EQ(r.body.find("rocksdb"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("incident "), std::string::npos) << r.body;
}

TEST(AudioRulesTest, ASpeechToolThatHangsIsKilledAtItsTimeout) {
  std::string out;
  EXPECT_TRUE(control::run_tool({"cat"}, "かな", &out, 5000));
  EXPECT_EQ(out, "かな");
  auto started = std::chrono::steady_clock::now();
  EXPECT_FALSE(control::run_tool({"sleep", "60"}, "", nullptr, 200));
  // Not a timing assertion: a run that waited for sleep to end would take a minute.
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds{30});
}

TEST(CidrTest, AllowlistsMatchByPrefix) {
  std::vector<std::string> list{"192.0.2.0/24", "2001:db8::/32", "198.51.100.7"};
  EXPECT_TRUE(control::address_allowed("192.0.2.200", list));
  EXPECT_TRUE(control::address_allowed("::ffff:192.0.2.1", list));
  EXPECT_FALSE(control::address_allowed("192.0.3.1", list));
  EXPECT_TRUE(control::address_allowed("198.51.100.7", list));
  EXPECT_FALSE(control::address_allowed("198.51.100.8", list));
  EXPECT_TRUE(control::address_allowed("2001:db8:1::5", list));
  EXPECT_FALSE(control::address_allowed("2001:db9::5", list));
  EXPECT_TRUE(control::address_allowed("203.0.113.1", {}));
  EXPECT_FALSE(control::parse_cidr("10.0.0.0/33"));
  EXPECT_FALSE(control::parse_cidr("10.0.0/8"));
  EXPECT_TRUE(control::parse_cidr("10.1.0.0/16"));
}

TEST(ThrottleTest, LoginsPerAddressPerMinute) {
  control::login_rate_limit limit{3};
  EXPECT_TRUE(limit.allow("a", 0));
  EXPECT_TRUE(limit.allow("a", 1));
  EXPECT_TRUE(limit.allow("a", 2));
  EXPECT_FALSE(limit.allow("a", 3));
  EXPECT_TRUE(limit.allow("b", 3));
  EXPECT_TRUE(limit.allow("a", 60000));
}

TEST(ThrottleTest, OtherNodesAttemptsCountTowardsTheLimit) {
  control::login_rate_limit limit{3};
  struct step {
    const char* address;
    int64_t at_ms;
    int elsewhere;
    bool allowed;
  };
  for (auto [address, at, elsewhere, allowed] : std::initializer_list<step>{
           {"a", 0, 2, true},       // 2 elsewhere + none here
           {"a", 1, 2, false},      // 2 elsewhere + 1 here: the limit
           {"b", 1, 3, false},      // another address, all of it elsewhere
           {"b", 2, 0, true},       // those attempts are over a minute old
           {"a", 60000, 2, true},   // this node's one is a minute old: 2 + none here
           {"a", 60001, 1, true},   // 1 elsewhere + 1 here
           {"a", 60002, 1, false},  // 1 elsewhere + 2 here
       })
    EXPECT_EQ(limit.allow(address, at, elsewhere), allowed) << address << " at " << at;
}

wire::AuditEvent login_event(const char* event, int64_t at_ms) {
  wire::AuditEvent ev;
  ev.set_event(event);
  ev.set_at_ms(at_ms);
  ev.set_email("nobody@example.jp");
  return ev;
}

TEST(ThrottleTest, AnUnknownAddressesTrailByTable) {
  constexpr int64_t lock = 30 * 60000;
  struct row {
    const char* name;
    std::vector<std::pair<const char*, int64_t>> newest_first;
    int64_t now;
    control::login_trail want;
  };
  const std::vector<row> rows{
      {"nothing yet", {}, 1000, {0, 0}},
      {"failures count", {{"login_failed", 900}, {"login_failed", 800}}, 1000, {0, 2}},
      {"a lock holds for lock_ms from its time",
       {{"locked", 500}, {"login_failed", 400}},
       500 + lock - 1,
       {500 + lock, 0}},
      {"an ended lock is over; failures after it count",
       {{"login_failed", lock + 900}, {"locked", 500}, {"login_failed", 400}},
       lock + 1000,
       {0, 1}},
      {"a success ends the count",
       {{"login_failed", 900}, {"login_ok", 800}, {"login_failed", 700}},
       1000,
       {0, 1}},
      {"other events are neither",
       {{"password_changed", 900}, {"login_failed", 800}},
       1000,
       {0, 1}},
  };
  for (const auto& r : rows) {
    std::vector<wire::AuditEvent> events;
    for (auto [ev, at] : r.newest_first)
      events.push_back(login_event(ev, at));
    auto got = control::read_login_trail(events, r.now, lock);
    EXPECT_EQ(got.locked_until_ms, r.want.locked_until_ms) << r.name;
    EXPECT_EQ(got.failures, r.want.failures) << r.name;
  }
}

TEST(ThrottleTest, AnUnknownAddressLocksOnFailuresOtherNodesCounted) {
  constexpr int64_t lock = 30 * 60000;
  control::unknown_user_failures here;
  // Three failures on other nodes, one here: the fifth locks, as on a single node.
  EXPECT_EQ(here.fail("a", 100, 5, lock, {0, 0}), 0);
  EXPECT_EQ(here.fail("a", 200, 5, lock, {0, 3}), 0);
  EXPECT_EQ(here.fail("a", 300, 5, lock, {0, 4}), 300 + lock);
  EXPECT_EQ(here.locked_until("a", 400, {}), 300 + lock);
  // Locked by another node: this one says so without having counted anything.
  control::unknown_user_failures other;
  EXPECT_EQ(other.locked_until("a", 400, {300 + lock, 0}), 300 + lock);
  EXPECT_EQ(other.locked_until("a", 300 + lock, {300 + lock, 0}), 0) << "the lock ended";
  // Failures this node has counted but the trail has not folded yet still count.
  control::unknown_user_failures lagging;
  for (int i = 0; i < 4; ++i)
    EXPECT_EQ(lagging.fail("b", 100 + i, 5, lock, {0, 0}), 0);
  EXPECT_NE(lagging.fail("b", 200, 5, lock, {0, 2}), 0);
}

TEST(AudioRulesTest, ANonWavIsRefusedByName) {
  auto p = control::audio_problems("definitely not audio");
  ASSERT_EQ(p.size(), 1u);
  EXPECT_EQ(p[0].code, "audio_not_wav");
}

}  // namespace
TEST(RoleGrantsTest, ByTable) {
  using control::grant_refusal;
  auto user = [](std::string id, std::vector<std::pair<std::string, wire::Role>> roles) {
    wire::User u;
    u.set_user_id(std::move(id));
    for (const auto& [a, r] : roles) {
      auto* b = u.add_roles();
      b->set_account_id(a);
      b->set_role(r);
    }
    return u;
  };
  using R = wire::Role;
  auto boss = user("boss", {{"a1", R::ENTERPRISE_ADMIN}, {"a2", R::SENIOR_ADMIN}});
  struct row {
    const char* name;
    wire::User before, after;
    bool refused;
  };
  const std::vector<row> rows{
      {"a new member where the caller is 企業管理者", {}, user("", {{"a1", R::MEMBER}}), false},
      {"a new 企業管理者 there too", {}, user("", {{"a1", R::ENTERPRISE_ADMIN}}), false},
      {"a role on an account where the caller is only 上位管理者",
       {},
       user("", {{"a2", R::MEMBER}}),
       true},
      {"a role on an account the caller has nothing on", {}, user("", {{"a9", R::MEMBER}}), true},
      {"a role kept as it was elsewhere while a1 changes",
       user("u", {{"a1", R::MEMBER}, {"a2", R::ADMIN}}),
       user("u", {{"a1", R::ADMIN}, {"a2", R::ADMIN}}), false},
      {"removing a role where the caller is not 企業管理者", user("u", {{"a2", R::ADMIN}}),
       user("u", {}), true},
      {"raising one's own role", boss,
       user("boss", {{"a1", R::ENTERPRISE_ADMIN}, {"a2", R::ENTERPRISE_ADMIN}}), true},
      {"giving oneself a new account", boss,
       user("boss", {{"a1", R::ENTERPRISE_ADMIN}, {"a2", R::SENIOR_ADMIN}, {"a3", R::MEMBER}}),
       true},
      {"lowering one's own role", boss, user("boss", {{"a1", R::ADMIN}, {"a2", R::SENIOR_ADMIN}}),
       false},
  };
  for (const auto& r : rows)
    EXPECT_EQ(grant_refusal(boss, r.before, r.after).has_value(), r.refused) << r.name;
}

}  // namespace ivrcast
