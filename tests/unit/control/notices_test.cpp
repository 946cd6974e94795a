// Notices' pure rules: who is mailed, what the guide's mails say, when a notice may be
// announced, what the banner shows, and when a mail may be claimed.

#include <gtest/gtest.h>

#include "control/notices.hpp"
#include "messages/clock.hpp"

namespace ivrcast::control {
namespace {

wire::Account account(const std::string& id, bool active,
                      std::vector<std::array<std::string, 3>> contacts) {
  wire::Account a;
  a.set_account_id(id);
  a.set_state(active ? wire::ACCOUNT_STATE_ACTIVE : wire::ACCOUNT_STATE_TERMINATED);
  for (const auto& [name, email, purpose] : contacts) {
    auto* c = a.add_contacts();
    c->set_name(name);
    c->set_email(email);
    c->set_purpose(purpose);
  }
  return a;
}

std::vector<std::string> emails(const std::vector<recipient>& rs) {
  std::vector<std::string> out;
  for (const auto& r : rs)
    out.push_back(r.account_id + ":" + r.email);
  return out;
}

TEST(NoticesTest, RecipientsByPurposeAccountAndAddressOnce) {
  std::vector<wire::Account> accounts{
      account("a1", true,
              {{"F", "f@x.jp", "fault"},
               {"M", "m@x.jp", "maintenance"},
               {"A", " All@X.jp ", "all"},
               {"E", "e@x.jp", ""}}),
      account("a2", true, {{"F again", "F@x.jp", "all"}, {"Z", "z@x.jp", "maintenance"}}),
      account("a3", false, {{"Gone", "gone@x.jp", "all"}}),
  };
  wire::Notice every;
  struct row {
    const char* name;
    wire::Notice n;
    notice_event e;
    std::vector<std::string> want;
  };
  wire::Notice only_a2;
  only_a2.add_account_ids("a2");
  wire::Notice only_a3;
  only_a3.add_account_ids("a3");
  std::vector<row> rows{
      {"fault: fault, all, no purpose; an address once; not terminated accounts",
       every,
       notice_event::fault,
       {"a1:f@x.jp", "a1:all@x.jp", "a1:e@x.jp"}},
      {"recovery goes where the fault went",
       every,
       notice_event::recovery,
       {"a1:f@x.jp", "a1:all@x.jp", "a1:e@x.jp"}},
      {"maintenance: maintenance, all, no purpose",
       every,
       notice_event::maintenance,
       {"a1:m@x.jp", "a1:all@x.jp", "a1:e@x.jp", "a2:f@x.jp", "a2:z@x.jp"}},
      {"named accounts only", only_a2, notice_event::fault, {"a2:f@x.jp"}},
      {"a terminated account is never mailed", only_a3, notice_event::fault, {}},
  };
  for (const auto& r : rows)
    EXPECT_EQ(emails(recipients(r.n, r.e, accounts)), r.want) << r.name;
}

TEST(NoticesTest, TimesAsTheGuidesMailsWriteThem) {
  EXPECT_EQ(jst_long(jst_to_unix_ms(2026, 12, 5, 9, 7, 0)), "2026年12月05日 09:07");
  struct row {
    int64_t start, end;
    const char* want;
  };
  std::vector<row> rows{
      {jst_to_unix_ms(2026, 12, 12, 22, 0, 0), jst_to_unix_ms(2026, 12, 13, 5, 0, 0),
       "12月12日22:00～翌5:00"},
      {jst_to_unix_ms(2026, 12, 12, 1, 0, 0), jst_to_unix_ms(2026, 12, 12, 4, 30, 0),
       "12月12日01:00～4:30"},
      {jst_to_unix_ms(2026, 12, 31, 23, 0, 0), jst_to_unix_ms(2027, 1, 1, 2, 0, 0),
       "12月31日23:00～翌2:00"},
      {jst_to_unix_ms(2026, 12, 12, 22, 0, 0), jst_to_unix_ms(2026, 12, 14, 5, 0, 0),
       "12月12日22:00～12月14日05:00"},
  };
  for (const auto& r : rows)
    EXPECT_EQ(maintenance_window(r.start, r.end), r.want);
}

TEST(NoticesTest, MailValuesFollowTheEvent) {
  wire::Notice n;
  n.set_notice_id("n-1");
  n.set_kind(wire::Notice::FAULT);
  n.set_impact("使えません。");
  n.set_starts_at_ms(jst_to_unix_ms(2026, 12, 5, 10, 0, 0));
  recipient r{"a1", "f@x.jp", "担当"};
  auto open = mail_values(n, notice_event::fault, r, "help@x.jp");
  EXPECT_EQ(open["ended"], "継続中");
  EXPECT_EQ(open["started"], "2026年12月05日 10:00");
  EXPECT_EQ(open["name"], "担当");
  EXPECT_EQ(open["support"], "help@x.jp");
  n.set_ends_at_ms(jst_to_unix_ms(2026, 12, 5, 11, 30, 0));
  n.set_recovery_impact("使えませんでした。");
  auto closed = mail_values(n, notice_event::recovery, {"a1", "f@x.jp", ""}, "help@x.jp");
  EXPECT_EQ(closed["ended"], "2026年12月05日 11:30");
  EXPECT_EQ(closed["impact"], "使えませんでした。");
  EXPECT_EQ(closed["name"], "f@x.jp");  // no name: the address
  EXPECT_EQ(mail_id(n, notice_event::recovery, "f@x.jp").substr(0, 13), "n-1/recovery/");
  EXPECT_EQ(mail_id(n, notice_event::recovery, "f@x.jp").size(), 13u + 16);
  EXPECT_NE(mail_id(n, notice_event::fault, "f@x.jp"), mail_id(n, notice_event::fault, "g@x.jp"));
}

TEST(NoticesTest, AnnouncementRulesByTable) {
  auto now = jst_to_unix_ms(2026, 12, 5, 12, 0, 0);
  auto day = 24LL * 3600 * 1000;
  auto notice = [&](wire::Notice::Kind k, int64_t start, int64_t end, bool urgent = false) {
    wire::Notice n;
    n.set_kind(k);
    n.set_impact("影響");
    n.set_starts_at_ms(start);
    n.set_ends_at_ms(end);
    n.set_short_notice(urgent);
    return n;
  };
  using K = wire::Notice;
  struct row {
    const char* name;
    wire::Notice n;
    std::vector<std::string> fields;  // of the problems, in order
  };
  auto no_impact = notice(K::FAULT, now - 1000, 0);
  no_impact.clear_impact();
  std::vector<row> rows{
      {"a fault that started", notice(K::FAULT, now - 60000, 0), {}},
      {"a fault in the future", notice(K::FAULT, now + day, 0), {"starts_at"}},
      {"a fault without impact", no_impact, {"impact"}},
      {"maintenance 7 days ahead",
       notice(K::MAINTENANCE, now + 7 * day, now + 7 * day + 3600000),
       {}},
      {"maintenance 3 days ahead",
       notice(K::MAINTENANCE, now + 3 * day, now + 3 * day + 3600000),
       {"starts_at"}},
      {"urgent maintenance 3 days ahead",
       notice(K::MAINTENANCE, now + 3 * day, now + 3 * day + 3600000, true),
       {}},
      {"maintenance in the past",
       notice(K::MAINTENANCE, now - day, now + day, true),
       {"starts_at"}},
      {"maintenance ending before it starts",
       notice(K::MAINTENANCE, now + 8 * day, now + 8 * day - 1),
       {"ends_at"}},
      {"no kind", notice(K::KIND_UNSPECIFIED, now, 0), {"kind"}},
  };
  for (const auto& r : rows) {
    std::vector<std::string> got;
    for (const auto& [field, why] : notice_problems(r.n, now))
      got.push_back(field);
    EXPECT_EQ(got, r.fields) << r.name;
  }
}

TEST(NoticesTest, BannerPhases) {
  wire::Notice fault;
  fault.set_kind(wire::Notice::FAULT);
  fault.set_starts_at_ms(1000);
  EXPECT_EQ(phase(fault, 5000), notice_phase::ongoing);
  fault.set_ends_at_ms(4000);
  EXPECT_EQ(phase(fault, 5000), notice_phase::over);
  wire::Notice m;
  m.set_kind(wire::Notice::MAINTENANCE);
  m.set_starts_at_ms(10000);
  m.set_ends_at_ms(20000);
  EXPECT_EQ(phase(m, 9999), notice_phase::upcoming);
  EXPECT_EQ(phase(m, 10000), notice_phase::ongoing);
  EXPECT_EQ(phase(m, 20000), notice_phase::over);
}

TEST(NoticesTest, ClaimsByTable) {
  auto mail = [](wire::NoticeMail::State st, int attempts, int64_t at, std::string node = "n1") {
    wire::NoticeMail m;
    m.set_state(st);
    m.set_attempts(attempts);
    m.set_at_ms(at);
    m.set_node(std::move(node));
    return m;
  };
  using M = wire::NoticeMail;
  EXPECT_TRUE(claimable(mail(M::PENDING, 0, 0), 0));
  EXPECT_FALSE(claimable(mail(M::SENDING, 1, 0), 1'000'000));
  EXPECT_FALSE(claimable(mail(M::SENT, 1, 0), 1'000'000));
  EXPECT_FALSE(claimable(mail(M::IN_DOUBT, 1, 0), 1'000'000));
  EXPECT_FALSE(claimable(mail(M::FAILED, 2, 1000), 1000 + 59'999)) << "paused 30 s per attempt";
  EXPECT_TRUE(claimable(mail(M::FAILED, 2, 1000), 1000 + 60'000));
  EXPECT_FALSE(claimable(mail(M::FAILED, max_mail_attempts, 0), 1'000'000'000));
  // In doubt: this node's own claim when it starts, anyone's when stale.
  EXPECT_TRUE(in_doubt_now(mail(M::SENDING, 1, 0), "n1", true, 1));
  EXPECT_FALSE(in_doubt_now(mail(M::SENDING, 1, 0), "n1", false, 1));
  EXPECT_FALSE(in_doubt_now(mail(M::SENDING, 1, 0), "n2", true, 1));
  EXPECT_TRUE(in_doubt_now(mail(M::SENDING, 1, 0), "n2", false, claim_timeout_ms + 1));
  EXPECT_FALSE(in_doubt_now(mail(M::PENDING, 0, 0), "n1", true, claim_timeout_ms + 1));
}

}  // namespace
}  // namespace ivrcast::control
