// The control plane through its HTTP API against a node: the role matrix, the password and
// session rules on a controllable clock, publish versus live calls, refusal of bad input, and a
// second node rebuilt from the topics. Embedded cluster (label integration) and real broker
// (label broker).

#include <gtest/gtest.h>

#include <atomic>
#include <fstream>
#include <map>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>

#include <sndfile.h>

#include "actors/node.hpp"
#include "connectors/gateway/codec.hpp"
#include "connectors/kafka/bus.hpp"
#include "connectors/kafka/consumer.hpp"
#include "connectors/kafka/producer.hpp"
#include "control/api.hpp"
#include "control/notices.hpp"
#include "messages/clock.hpp"
#include "messages/control.pb.h"
#include "messages/sms.pb.h"
#include "messages/topics.hpp"
#include "sms/log_csv.hpp"
#include "sms/usage.hpp"
#include "storage/audit_log.hpp"
#include "storage/call_counts.hpp"
#include "storage/control_state.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/portal_support.hpp"
#include "tests/support/test_support.hpp"
#include "tests/support/topic_copy.hpp"

namespace ivrcast {
namespace {

namespace kafka = connectors::kafka;
using nlohmann::json;

constexpr const char* admin_token = "operator-token-for-tests";
constexpr const char* good_password = "Secure#Pass2026";
constexpr int64_t minute_ms = 60 * 1000;
constexpr int64_t day_ms = 24 * 60 * minute_ms;

using test::topic_copy;

/// `unix_ms` as the API's date-time parameter (Japan time, YYYY-MM-DDTHH:MM:SS).
std::string api_time(int64_t unix_ms) {
  std::string t;
  sms::append_jst(t, unix_ms);
  std::replace(t.begin(), t.end(), '/', '-');
  std::replace(t.begin(), t.end(), ' ', 'T');
  return t;
}

/// A WAV made with libsndfile: `rate` Hz, `channels`, μ-law unless `pcm`.
std::string make_wav(int rate, int channels, double seconds, bool pcm = false) {
  std::string path = "/tmp/ivrcast-test-" + std::to_string(rate) + "-" + std::to_string(channels) +
                     (pcm ? "-pcm" : "") + ".wav";
  SF_INFO info{};
  info.samplerate = rate;
  info.channels = channels;
  info.format = SF_FORMAT_WAV | (pcm ? SF_FORMAT_PCM_16 : SF_FORMAT_ULAW);
  SNDFILE* f = sf_open(path.c_str(), SFM_WRITE, &info);
  std::vector<short> frames(static_cast<size_t>(rate * seconds) * channels, 1000);
  sf_write_short(f, frames.data(), static_cast<sf_count_t>(frames.size()));
  sf_close(f);
  std::ifstream in{path, std::ios::binary};
  std::stringstream buf;
  buf << in.rdbuf();
  std::remove(path.c_str());
  return buf.str();
}

class ControlPlaneTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    settings_ = test::settings_for(info->name(), dir_.path() + "/node-a");
    settings_.http.listen = "127.0.0.1:0";
    settings_.http.admin_token = admin_token;
    settings_.http.public_url = "http://127.0.0.1";
    settings_.security.argon2_ops = 1;  // the rules are under test, not the hash's cost
    settings_.security.argon2_mem_kib = 8;
    settings_.security.logins_per_minute = 1000;
    settings_.smtp.url = sink_.url();
    settings_.smtp.templates = IVRCAST_SOURCE_DIR "/config/mail";
    auto b = kafka::bus::open(settings_.kafka);
    ASSERT_OK(b);
    bus_ = std::move(*b);
  }

  std::unique_ptr<actors::node> start_node(const std::string& data_dir) {
    auto s = settings_;
    s.node.data_dir = data_dir;
    s.node.id = "node-" + std::to_string(++nodes_);
    auto n = actors::node::start(s, bus_, [this] { return unix_now_ms() + shift_.load(); });
    EXPECT_TRUE(n) << describe(n.error());
    return n ? std::move(*n) : nullptr;
  }

  /// The node started again on its disk, mailing through `smtp`.
  void restart_with_mail_at(const test::smtp_sink& smtp) {
    node_->stop();
    node_.reset();
    settings_.smtp.url = smtp.url();
    start();
  }

  void start() {
    node_ = start_node(settings_.node.data_dir);
    ASSERT_TRUE(node_);
    port_ = node_->http_port();
    op_ = std::make_unique<test::portal_client>(port_);
    op_->bearer = admin_token;
  }

  /// The operator sets up enterprise e1 with accounts a1 and a2 (a2 only from 10.1.0.0/16)
  /// and its first enterprise admin, who logs in, changes the temporary password and picks a1.
  void bootstrap() {
    start();
    ASSERT_EQ(
        op_->post("/v1/admin/enterprises", {{"enterprise_id", "e1"}, {"name", "Example"}}).status,
        201);
    auto a1 = op_->put("/v1/admin/accounts/a1",
                       {{"enterprise_id", "e1"},
                        {"name", "Main"},
                        {"incoming_numbers", {"050-1111-0001", "050-1111-0002", "050-1111-0009"}},
                        {"sender_ids", {"0312345678"}},
                        {"contacts", {{{"name", "Ops"}, {"email", "ops@example.jp"}}}}});
    ASSERT_EQ(a1.status, 201) << a1.raw;
    ASSERT_EQ(op_->put("/v1/admin/accounts/a2", {{"enterprise_id", "e1"},
                                                 {"name", "Branch"},
                                                 {"incoming_numbers", {"050-2222-0001"}},
                                                 {"sender_ids", {"0312345679"}},
                                                 {"ip_allowlist", {"10.1.0.0/16"}}})
                  .status,
              201);
    auto boss =
        op_->post("/v1/admin/users", {{"enterprise_id", "e1"},
                                      {"email", "boss@example.jp"},
                                      {"name", "Boss"},
                                      {"roles",
                                       {{{"account_id", "a1"}, {"role", "enterprise_admin"}},
                                        {{"account_id", "a2"}, {"role", "enterprise_admin"}}}}});
    ASSERT_EQ(boss.status, 201) << boss.raw;
    EXPECT_EQ(boss.body.value("mail", ""), "sent");
    EXPECT_FALSE(boss.body.contains("temporary_password")) << "mailed: never in an answer";
    boss_ = first_login("boss@example.jp", 1);
    ASSERT_TRUE(boss_);
    ASSERT_EQ(boss_->post("/v1/session/account", {{"account_id", "a1"}}).status, 200);
  }

  /// Account `account` of `enterprise` and its enterprise admin other@example.jp, logged in
  /// (their first mail).
  std::unique_ptr<test::portal_client> other_admin(const std::string& enterprise,
                                                   const std::string& account,
                                                   const std::string& number,
                                                   const std::string& sender_id) {
    auto a = op_->put("/v1/admin/accounts/" + account, {{"enterprise_id", enterprise},
                                                        {"name", "Other"},
                                                        {"incoming_numbers", {number}},
                                                        {"sender_ids", {sender_id}}});
    EXPECT_EQ(a.status, 201) << a.raw;
    auto u = op_->post("/v1/admin/users",
                       {{"enterprise_id", enterprise},
                        {"email", "other@example.jp"},
                        {"name", "Other"},
                        {"roles", {{{"account_id", account}, {"role", "enterprise_admin"}}}}});
    EXPECT_EQ(u.status, 201) << u.raw;
    return first_login("other@example.jp", 1);
  }

  /// Reads the temporary password from mail number `mail_no`, logs in (forced change) and sets
  /// good_password.
  std::unique_ptr<test::portal_client> first_login(const std::string& email, size_t mail_no) {
    auto mail = sink_.wait_for(email, mail_no);
    auto temp = test::field_after(mail, "仮パスワード:");
    EXPECT_FALSE(temp.empty()) << mail;
    auto c = std::make_unique<test::portal_client>(port_);
    auto r = c->login(email, temp);
    EXPECT_EQ(r.status, 200) << r.raw;
    EXPECT_TRUE(r.body.value("password_change_required", false));
    EXPECT_EQ(c->get("/v1/numbers").code(), "password_change_required");
    auto ch = c->post("/v1/session/password",
                      {{"current_password", temp}, {"new_password", good_password}});
    EXPECT_EQ(ch.status, 204) << ch.raw;
    return c;
  }

  /// A user of a1 with `role`, logged in with a1 chosen.
  std::unique_ptr<test::portal_client> user_with(const std::string& role) {
    auto email = role + "@example.jp";
    auto r = boss_->post(
        "/v1/users",
        {{"email", email}, {"name", role}, {"roles", {{{"account_id", "a1"}, {"role", role}}}}});
    EXPECT_EQ(r.status, 201) << r.raw;
    auto c = first_login(email, 1);
    EXPECT_EQ(c->post("/v1/session/account", {{"account_id", "a1"}}).status, 200);
    return c;
  }

  test::temp_dir dir_;
  test::smtp_sink sink_;
  config::settings settings_;
  std::shared_ptr<kafka::bus> bus_;
  std::atomic<int64_t> shift_{0};
  int nodes_ = 0;
  std::unique_ptr<actors::node> node_;
  int port_ = 0;
  std::unique_ptr<test::portal_client> op_;
  std::unique_ptr<test::portal_client> boss_;
};

// -- role matrix ---------------------------------------------------------------------------

/// Who may call each endpoint: product.md §6, written out rather than derived from the code.
struct matrix_row {
  const char* route;  // "METHOD pattern"
  const char* allowed;  // E = 企業管理者, S = 上位管理者, A = 管理者, M = 一般利用者; "" = nobody
};

const matrix_row role_matrix[] = {
    {"GET /v1/health", "ESAM"},
    {"GET /metrics", "ESAM"},
    {"GET /healthz", "ESAM"},
    {"GET /readyz", "ESAM"},
    {"GET /v1/usage", "ES"},
    {"GET /v1/usage.csv", "ES"},
    {"GET /v1/admin/usage", ""},
    {"GET /v1/admin/usage.csv", ""},
    {"GET /v1/notices", "ESAM"},
    {"GET /v1/audit", "E"},
    {"GET /v1/admin/audit", ""},
    {"GET /v1/admin/notices", ""},
    {"POST /v1/admin/notices", ""},
    {"POST /v1/admin/notices/{notice_id}/recover", ""},
    {"POST /v1/session", "ESAM"},
    {"GET /v1/session", "ESAM"},
    {"DELETE /v1/session", "ESAM"},
    {"POST /v1/session/account", "ESAM"},
    {"POST /v1/session/password", "ESAM"},
    {"POST /v1/password-resets", "ESAM"},
    {"POST /v1/password-resets/confirm", "ESAM"},
    {"GET /v1/numbers", "ESAM"},
    {"POST /v1/flows/{number}", "ESAM"},
    {"DELETE /v1/flows/{number}", "ESAM"},
    {"GET /v1/flows/{number}/draft", "ESAM"},
    {"PUT /v1/flows/{number}/draft", "ESAM"},
    {"PUT /v1/flows/{number}/draft/steps/{step}", "ESAM"},
    {"PUT /v1/flows/{number}/draft/steps/{step}/audio", "ESAM"},
    {"DELETE /v1/flows/{number}/draft/steps/{step}", "ESAM"},
    {"GET /v1/flows/{number}/draft/steps/{step}/audio", "ESAM"},
    {"PUT /v1/flows/{number}/draft/sms", "ESAM"},
    {"GET /v1/flows/{number}/published", "ESAM"},
    {"GET /v1/flows/{number}/published/steps/{step}/audio", "ESAM"},
    {"POST /v1/flows/{number}/publish", "ESA"},
    {"POST /v1/sms/preview", "ESAM"},
    {"GET /v1/audio/{file}", "ESAM"},
    {"GET /v1/delivery-log", "ES"},
    {"GET /v1/delivery-log.csv", "ES"},
    {"GET /v1/call-counts", "ES"},
    {"GET /{code}", "ESAM"},
    {"GET /v1/users", "E"},
    {"POST /v1/users", "E"},
    {"GET /v1/users/{user_id}", "E"},
    {"PUT /v1/users/{user_id}", "E"},
    {"DELETE /v1/users/{user_id}", "E"},
    {"POST /v1/users/{user_id}/password-reset", "E"},
    {"GET /v1/admin/enterprises", ""},
    {"POST /v1/admin/enterprises", ""},
    {"GET /v1/admin/accounts", ""},
    {"PUT /v1/admin/accounts/{account_id}", ""},
    {"POST /v1/admin/accounts/{account_id}/terminate", ""},
    {"POST /v1/admin/users", ""},
    {"POST /v1/admin/users/{user_id}/restore", ""},
};

std::string concrete(std::string pattern) {
  const std::pair<const char*, const char*> values[] = {
      {"{number}", "05011110009"}, {"{step}", "1"},           {"{user_id}", "u-nobody"},
      {"{account_id}", "a1"},      {"{notice_id}", "n-none"}, {"{code}", "Zz9Zz9Zz"},
      {"{file}", "none.wav"}};
  for (const auto& [k, v] : values)
    if (auto pos = pattern.find(k); pos != std::string::npos)
      pattern.replace(pos, std::string{k}.size(), v);
  return pattern;
}

TEST_F(ControlPlaneTest, EveryEndpointTimesEveryRoleIsAllowedOrForbidden) {
  bootstrap();
  std::set<std::string> documented;
  for (const auto& row : role_matrix)
    documented.insert(row.route);
  std::set<std::string> served;
  for (const auto& r : control::api::routes())
    served.insert(r.method + " " + r.pattern);
  ASSERT_EQ(documented, served) << "the matrix must list every route the API serves";

  std::unique_ptr<test::portal_client> clients[4];
  clients[1] = user_with("senior_admin");
  clients[2] = user_with("admin");
  clients[3] = user_with("member");
  clients[0] = std::move(boss_);
  const char roles[] = {'E', 'S', 'A', 'M'};
  for (int i = 0; i < 4; ++i) {
    for (const auto& row : role_matrix) {
      std::string route = row.route;
      if (route == "DELETE /v1/session")
        continue;  // walked last: it ends the session
      auto space = route.find(' ');
      auto method = route.substr(0, space);
      auto path = concrete(route.substr(space + 1));
      auto r = clients[i]->send(method, path, method == "GET" ? "" : "{}");
      bool allowed = std::string{row.allowed}.find(roles[i]) != std::string::npos;
      SCOPED_TRACE(std::string{roles[i]} + " " + route + " -> " + std::to_string(r.status) + " " +
                   r.raw.substr(0, 200));
      ASSERT_NE(r.status, 0);
      if (allowed) {
        EXPECT_NE(r.status, 403);
        EXPECT_NE(r.status, 401);
      } else {
        EXPECT_EQ(r.status, 403);
      }
    }
    EXPECT_EQ(clients[i]->del("/v1/session").status, 204);
    EXPECT_EQ(clients[i]->get("/v1/session").status, 401);
  }
}

// -- password and session rules ------------------------------------------------------------

TEST_F(ControlPlaneTest, PasswordRulesAreEnforcedOneByOne) {
  bootstrap();
  const std::pair<const char*, const char*> cases[] = {
      {"Sh0rt#pw", "password_too_short"},         {"Has Space#2026x", "password_has_whitespace"},
      {"lower#only2026", "password_needs_upper"}, {"UPPER#ONLY2026", "password_needs_lower"},
      {"NoDigits#Here!", "password_needs_digit"}, {"NoSymbol2026abc", "password_needs_symbol"},
  };
  for (const auto& [pw, code] : cases) {
    auto r = boss_->post("/v1/session/password",
                         {{"current_password", good_password}, {"new_password", pw}});
    EXPECT_EQ(r.status, 400) << pw;
    EXPECT_EQ(r.code(), code) << pw << " " << r.raw;
  }
  auto wrong = boss_->post("/v1/session/password", {{"current_password", "Wrong#Pass2026"},
                                                    {"new_password", "New#Pass20261"}});
  EXPECT_EQ(wrong.code(), "wrong_password");
  // The old password still works: nothing above was stored.
  test::portal_client again{port_};
  EXPECT_EQ(again.login("boss@example.jp", good_password).status, 200);
}

TEST_F(ControlPlaneTest, PasswordsExpireAfterNinetyDaysAndMustBeChanged) {
  bootstrap();
  shift_ += 89 * day_ms;
  test::portal_client early{port_};
  EXPECT_FALSE(
      early.login("boss@example.jp", good_password).body.value("password_change_required", true));
  shift_ += 1 * day_ms;
  test::portal_client c{port_};
  auto r = c.login("boss@example.jp", good_password);
  ASSERT_EQ(r.status, 200);
  EXPECT_TRUE(r.body.value("password_change_required", false));
  EXPECT_EQ(c.post("/v1/session/account", {{"account_id", "a1"}}).code(),
            "password_change_required");
  EXPECT_EQ(c.post("/v1/session/password",
                   {{"current_password", good_password}, {"new_password", "Fresh#Pass2027"}})
                .status,
            204);
  EXPECT_EQ(c.post("/v1/session/account", {{"account_id", "a1"}}).status, 200);
}

TEST_F(ControlPlaneTest, TemporaryPasswordsLastFourteenDays) {
  bootstrap();
  ASSERT_EQ(boss_
                ->post("/v1/users", {{"email", "late@example.jp"},
                                     {"name", "Late"},
                                     {"roles", {{{"account_id", "a1"}, {"role", "member"}}}}})
                .status,
            201);
  auto temp = test::field_after(sink_.wait_for("late@example.jp", 1), "仮パスワード:");
  ASSERT_FALSE(temp.empty());
  shift_ += 14 * day_ms + minute_ms;
  test::portal_client c{port_};
  EXPECT_EQ(c.login("late@example.jp", temp).code(), "temporary_password_expired");
  shift_ -= 2 * minute_ms;  // inside the 14 days it works
  EXPECT_EQ(c.login("late@example.jp", temp).status, 200);
}

TEST_F(ControlPlaneTest, FiveFailuresLockForThirtyMinutesAndUnknownUsersLookTheSame) {
  bootstrap();
  test::portal_client c{port_};
  for (int i = 1; i <= 4; ++i) {
    auto known = c.login("boss@example.jp", "Wrong#Pass2026");
    auto unknown = c.login("nobody@example.jp", "Wrong#Pass2026");
    EXPECT_EQ(known.status, 401);
    EXPECT_EQ(known.raw, unknown.raw) << "unknown user and wrong password must answer alike";
  }
  auto fifth = c.login("boss@example.jp", "Wrong#Pass2026");
  auto fifth_unknown = c.login("nobody@example.jp", "Wrong#Pass2026");
  EXPECT_EQ(fifth.status, 423);
  EXPECT_EQ(fifth.raw, fifth_unknown.raw);
  EXPECT_EQ(c.login("boss@example.jp", good_password).code(), "locked") << "locked even when right";
  shift_ += 29 * minute_ms;
  EXPECT_EQ(c.login("boss@example.jp", good_password).code(), "locked");
  shift_ += 2 * minute_ms;
  EXPECT_EQ(c.login("boss@example.jp", good_password).status, 200);

  // The audit topic recorded the failures and the lock.
  topic_copy audit;
  auto reader =
      kafka::partition_reader::open(*bus_, bus_->topic(topics::control_audit), "test-audit", audit);
  ASSERT_OK(reader);
  (*reader)->start();
  EXPECT_TRUE(test::eventually([&] {
    int failed = 0, locked = 0;
    for (const auto& v : audit.values()) {
      wire::AuditEvent ev;
      if (ev.ParseFromString(v) && ev.email() == "boss@example.jp") {
        failed += ev.event() == "login_failed";
        locked += ev.event() == "locked";
      }
    }
    return failed == 4 && locked == 1;
  }));
  (*reader)->stop();
}

TEST_F(ControlPlaneTest, SessionsEndAfterThirtyIdleMinutes) {
  bootstrap();
  shift_ += 29 * minute_ms;
  EXPECT_EQ(boss_->get("/v1/numbers").status, 200);  // use renews the session
  shift_ += 29 * minute_ms;
  EXPECT_EQ(boss_->get("/v1/numbers").status, 200);
  shift_ += 31 * minute_ms;
  EXPECT_EQ(boss_->get("/v1/numbers").code(), "not_logged_in");
}

TEST_F(ControlPlaneTest, ResetCodesWorkForOneHourOnly) {
  bootstrap();
  test::portal_client anon{port_};
  EXPECT_EQ(anon.post("/v1/password-resets", {{"email", "boss@example.jp"}}).status, 202);
  EXPECT_EQ(anon.post("/v1/password-resets", {{"email", "nobody@example.jp"}}).status, 202);
  auto code = test::field_after(sink_.wait_for("boss@example.jp", 2), "再設定コード:");
  ASSERT_EQ(code.size(), 16u);
  EXPECT_TRUE(sink_.mails_to("nobody@example.jp").empty());
  shift_ += 61 * minute_ms;
  EXPECT_EQ(
      anon.post("/v1/password-resets/confirm",
                {{"email", "boss@example.jp"}, {"code", code}, {"new_password", "Reset#Pass2026"}})
          .code(),
      "invalid_reset_code");
  EXPECT_EQ(anon.post("/v1/password-resets", {{"email", "boss@example.jp"}}).status, 202);
  auto fresh = test::field_after(sink_.wait_for("boss@example.jp", 3), "再設定コード:");
  shift_ += 59 * minute_ms;
  EXPECT_EQ(
      anon.post("/v1/password-resets/confirm",
                {{"email", "boss@example.jp"}, {"code", fresh}, {"new_password", "Reset#Pass2026"}})
          .status,
      204);
  EXPECT_EQ(anon.login("boss@example.jp", "Reset#Pass2026").status, 200);
  EXPECT_EQ(boss_->get("/v1/numbers").status, 401) << "a reset ends the other sessions";
}

TEST_F(ControlPlaneTest, ANumberMovedToAnotherAccountTakesNoneOfItsFlowsWithIt) {
  bootstrap();
  ASSERT_EQ(boss_->post("/v1/flows/05011110009", json::object()).status, 201);
  ASSERT_EQ(boss_->put("/v1/flows/05011110009/draft/sms", {{"body", "a1 only"}}).status, 200);
  ASSERT_EQ(
      op_->put("/v1/admin/accounts/a1", {{"enterprise_id", "e1"},
                                         {"name", "Main"},
                                         {"incoming_numbers", {"050-1111-0001", "050-1111-0002"}},
                                         {"sender_ids", {"0312345678"}}})
          .status,
      200);
  ASSERT_EQ(
      op_->put("/v1/admin/accounts/a2", {{"enterprise_id", "e1"},
                                         {"name", "Branch"},
                                         {"incoming_numbers", {"050-2222-0001", "050-1111-0009"}},
                                         {"sender_ids", {"0312345679"}},
                                         {"ip_allowlist", {"127.0.0.0/8"}}})
          .status,
      200);
  ASSERT_EQ(boss_->post("/v1/session/account", {{"account_id", "a2"}}).status, 200);
  auto numbers = boss_->get("/v1/numbers").body["numbers"];
  bool seen = false;
  for (const auto& n : numbers)
    if (n.value("incoming_number", "") == "05011110009") {
      seen = true;
      EXPECT_EQ(n.value("state", ""), "unregistered") << n.dump();
    }
  EXPECT_TRUE(seen) << numbers.dump();
  EXPECT_EQ(boss_->get("/v1/flows/05011110009/draft").code(), "flow_not_registered");
  ASSERT_EQ(boss_->post("/v1/flows/05011110009", json::object()).status, 201)
      << "a2 registers its own";
  auto draft = boss_->get("/v1/flows/05011110009/draft");
  EXPECT_EQ(draft.raw.find("a1 only"), std::string::npos) << draft.raw;
}

TEST_F(ControlPlaneTest, AResetAnswersBeforeItsMailAndACodeDiesAfterFiveWrongTries) {
  bootstrap();
  // A slow SMTP server (one second per mail): the answer does not wait for it, known address or
  // not, so neither the time nor the answer tells whether an address has an account.
  test::smtp_sink slow{1};
  restart_with_mail_at(slow);
  test::portal_client anon{port_};
  EXPECT_EQ(anon.post("/v1/password-resets", {{"email", "boss@example.jp"}}).status, 202);
  EXPECT_TRUE(slow.mails_to("boss@example.jp").empty()) << "answered only after the mail";
  auto code = test::field_after(slow.wait_for("boss@example.jp", 1), "再設定コード:");
  ASSERT_EQ(code.size(), 16u);
  auto confirm = [&](const std::string& c) {
    return anon.post(
        "/v1/password-resets/confirm",
        {{"email", "boss@example.jp"}, {"code", c}, {"new_password", "Reset#Pass2026"}});
  };
  for (int i = 0; i < 5; ++i)
    EXPECT_EQ(confirm("0000000000000000").code(), "invalid_reset_code") << i;
  EXPECT_EQ(confirm(code).code(), "invalid_reset_code") << "void after five wrong codes";
  EXPECT_EQ(anon.post("/v1/password-resets", {{"email", "boss@example.jp"}}).status, 202);
  auto fresh = test::field_after(slow.wait_for("boss@example.jp", 2), "再設定コード:");
  EXPECT_EQ(confirm("0000000000000000").code(), "invalid_reset_code");
  EXPECT_EQ(confirm(fresh).status, 204) << "a new code starts a new count";
}

TEST_F(ControlPlaneTest, CsrfIpAllowlistAndLoginRateAreEnforced) {
  settings_.security.logins_per_minute = 8;
  bootstrap();
  boss_->send_csrf = false;
  EXPECT_EQ(boss_->put("/v1/flows/05011110001/draft/sms", {{"body", "x"}}).code(), "csrf_failed");
  boss_->send_csrf = true;
  auto wrong = boss_->csrf;
  boss_->csrf = "0000";
  EXPECT_EQ(boss_->post("/v1/flows/05011110001", json::object()).code(), "csrf_failed");
  boss_->csrf = wrong;
  // a2 allows 10.1.0.0/16 only; the test connects from 127.0.0.1.
  EXPECT_EQ(boss_->post("/v1/session/account", {{"account_id", "a2"}}).code(), "ip_not_allowed");
  EXPECT_EQ(op_->put("/v1/admin/accounts/a2", {{"enterprise_id", "e1"},
                                               {"name", "Branch"},
                                               {"incoming_numbers", {"050-2222-0001"}},
                                               {"ip_allowlist", {"127.0.0.0/8"}}})
                .status,
            200);
  EXPECT_EQ(boss_->post("/v1/session/account", {{"account_id", "a2"}}).status, 200);
  // bootstrap used 1 login; 7 more are allowed this minute, then 429.
  test::portal_client c{port_};
  int refused = 0;
  for (int i = 0; i < 8; ++i)
    refused += c.login("nobody@example.jp", "Wrong#Pass2026").status == 429;
  EXPECT_EQ(refused, 1);
  shift_ += minute_ms;
  EXPECT_NE(c.login("boss@example.jp", good_password).status, 429);
}

TEST_F(ControlPlaneTest, TerminatedAccountsRefuseThePortal) {
  bootstrap();
  EXPECT_EQ(op_->post("/v1/admin/accounts/a1/terminate", json::object()).status, 200);
  EXPECT_EQ(boss_->get("/v1/numbers").code(), "account_terminated");
}

// -- flows and calls ------------------------------------------------------------------------

/// Places calls as a gateway would and reads the commands the IVR sends back.
class call_driver {
 public:
  explicit call_driver(kafka::bus& b) {
    auto p = kafka::producer::open(b, "test-gateway", {});
    EXPECT_TRUE(p);
    producer_ = std::move(*p);
    topic_ = producer_->topic(b.topic(topics::call_events));
    auto r = kafka::partition_reader::open(b, b.topic(topics::call_commands), "test-commands",
                                           commands_);
    EXPECT_TRUE(r);
    reader_ = std::move(*r);
    reader_->start();
  }
  ~call_driver() { reader_->stop(); }

  void event(messages::call_event ev) {
    ev.gateway = gateway_id{"gw-test"};
    ev.occurred_at_ms = unix_now_ms();
    ev.sequence = ++seq_[ev.call.value];
    std::string bytes;
    connectors::gateway::encode(ev, bytes);
    EXPECT_TRUE(producer_->produce(topic_, ev.call.value, bytes, 0));
    EXPECT_TRUE(producer_->flush(test::scaled(std::chrono::seconds{10})));
  }

  void start_call(const std::string& id, const std::string& called) {
    messages::call_event ev;
    ev.call = call_id{id};
    ev.kind = messages::call_event_kind::started;
    ev.called = called;
    ev.calling = "0312340000";  // a landline: steps 1 and 2, then digits
    event(ev);
  }

  void digits(const std::string& id, uint32_t command_seq, const std::string& d) {
    messages::call_event ev;
    ev.call = call_id{id};
    ev.kind = messages::call_event_kind::digits_collected;
    ev.command_seq = command_seq;
    ev.digits = d;
    ev.end = messages::input_end::terminator;
    event(ev);
  }

  /// The texts played by command `seq` of call `id`, once it has arrived.
  std::vector<std::string> played(const std::string& id, uint32_t seq) {
    std::vector<std::string> out;
    EXPECT_TRUE(test::eventually([&] {
      for (const auto& v : commands_.values()) {
        auto c = connectors::gateway::decode_command(v);
        if (c && c->call.value == id && c->seq == seq) {
          for (const auto& a : c->actions)
            if (a.kind == messages::action_kind::play)
              out.push_back(a.text.empty() ? a.audio_url : a.text);
          return true;
        }
      }
      return false;
    })) << "no command "
        << seq << " for " << id;
    return out;
  }

 private:
  std::unique_ptr<kafka::producer> producer_;
  kafka::producer::topic_ref topic_;
  topic_copy commands_;
  std::unique_ptr<kafka::partition_reader> reader_;
  std::map<std::string, uint32_t> seq_;
};

/// Registers a flow for `number` with steps "<tag> 1" … and publishes it.
void set_texts(test::portal_client& c, const std::string& number, const std::string& tag) {
  json steps;
  for (auto n : {"1", "2", "4", "5"})
    steps[n] = {{"text", tag + " step " + n}};
  auto r =
      c.put("/v1/flows/" + number + "/draft",
            {{"steps", steps}, {"sms", {{"sender_id", "0312345678"}, {"body", tag + " SMS"}}}});
  ASSERT_EQ(r.status, 200) << r.raw;
}

/// Registers `number` with texts in every step, then empties step 1 for an upload; returns the
/// draft's path.
std::string draft_awaiting_audio(test::portal_client& c, const std::string& number) {
  EXPECT_EQ(c.post("/v1/flows/" + number, json::object()).status, 201);
  set_texts(c, number, "v1");
  auto draft = "/v1/flows/" + number + "/draft";
  EXPECT_EQ(c.del(draft + "/steps/1").status, 200);
  return draft;
}

TEST_F(ControlPlaneTest, PublishingChangesTheNextCallAndNotTheOneInProgress) {
  bootstrap();
  const std::string number = "05011110001";
  ASSERT_EQ(boss_->post("/v1/flows/" + number, json::object()).status, 201);
  set_texts(*boss_, number, "v1");
  auto v1 = boss_->post("/v1/flows/" + number + "/publish", json::object());
  ASSERT_EQ(v1.status, 200) << v1.raw;
  EXPECT_EQ(boss_->get("/v1/numbers").body["numbers"][0]["state"], "published");

  call_driver calls{*bus_};
  ASSERT_TRUE(test::eventually([&] { return node_->owned_partitions() > 0; }));
  calls.start_call("call-a", number);
  EXPECT_EQ(calls.played("call-a", 1), (std::vector<std::string>{"v1 step 1", "v1 step 2"}));

  set_texts(*boss_, number, "v2");  // saved, not published: callers still hear v1
  EXPECT_EQ(boss_->get("/v1/numbers").body["numbers"][0]["state"], "draft");
  calls.start_call("call-b", number);
  EXPECT_EQ(calls.played("call-b", 1), (std::vector<std::string>{"v1 step 1", "v1 step 2"}));

  auto v2 = boss_->post("/v1/flows/" + number + "/publish", json::object());
  ASSERT_EQ(v2.status, 200) << v2.raw;
  EXPECT_NE(v2.body["version_id"], v1.body["version_id"]);
  EXPECT_EQ(v2.body["name"], "IVRCampaign_" + v2.body["version_id"].get<std::string>());
  calls.start_call("call-c", number);
  EXPECT_EQ(calls.played("call-c", 1), (std::vector<std::string>{"v2 step 1", "v2 step 2"}));
  // call-a started under v1 and finishes under v1.
  calls.digits("call-a", 1, "09012345678");
  EXPECT_EQ(calls.played("call-a", 2), (std::vector<std::string>{"v1 step 4"}));
  auto published = boss_->get("/v1/flows/" + number + "/published");
  EXPECT_EQ(published.body["steps"]["1"]["text"], "v2 step 1");

  // Deleting the flow makes the number unregistered: calls are rejected.
  EXPECT_EQ(boss_->del("/v1/flows/" + number).status, 204);
  EXPECT_EQ(boss_->get("/v1/numbers").body["numbers"][0]["state"], "unregistered");
  calls.start_call("call-d", number);
  auto rejected = calls.played("call-d", 1);
  ASSERT_EQ(rejected.size(), 1u);
  EXPECT_EQ(rejected[0], settings_.ivr.reject_text);
}

TEST_F(ControlPlaneTest, UnpublishedAudioNeedsASessionAndPublishedAudioIsServedByItsUrl) {
  bootstrap();
  const std::string number = "05011110001";
  const auto draft = draft_awaiting_audio(*boss_, number);
  auto wav = make_wav(8000, 1, 1.0);
  auto up = boss_->put_bytes(draft + "/steps/1/audio", wav, "audio/wav");
  ASSERT_EQ(up.status, 200) << up.raw;
  auto url = up.body["steps"]["1"]["audio_url"].get<std::string>();
  auto path = url.substr(url.find("/v1/audio/"));
  // Not published: only the editors' session route plays it; its URL alone finds nothing.
  test::portal_client stranger{port_};
  EXPECT_EQ(stranger.get(path).code(), "audio_missing");
  EXPECT_EQ(boss_->get(path).code(), "audio_missing") << "the URL is not a session route";
  EXPECT_EQ(boss_->get(draft + "/steps/1/audio").raw, wav);
  EXPECT_EQ(stranger.get(draft + "/steps/1/audio").status, 401);

  auto published = boss_->post("/v1/flows/" + number + "/publish", json::object());
  ASSERT_EQ(published.status, 200) << published.raw;
  // Published: gateways fetch it by its URL, and the spoken text steps too.
  test::reply fetched;
  ASSERT_TRUE(test::eventually([&] {
    fetched = stranger.get(path);
    return fetched.status == 200;
  })) << fetched.raw;
  EXPECT_EQ(fetched.raw, wav);
  auto flow = node_->control().get("flow/" + number);
  ASSERT_TRUE(flow && *flow);
  int spoken = 0;
  for (const auto& g : (*flow)->flow().steps())
    if (!g.speech_url().empty()) {
      ++spoken;
      auto at = g.speech_url().find("/v1/audio/");
      EXPECT_EQ(stranger.get(g.speech_url().substr(at)).status, 200) << g.step();
    }
  EXPECT_GT(spoken, 0) << "publishing renders the text steps";
}

TEST_F(ControlPlaneTest, AnAccountsAudioIsBoundedByItsQuotaAndFreedAnHourAfterItsLastUse) {
  settings_.security.audio_quota_mb = 1;
  bootstrap();
  const std::string number = "05011110001";
  const auto draft = draft_awaiting_audio(*boss_, number);
  auto first = make_wav(8000, 1, 70.0);  // 560 kB
  auto second = make_wav(8000, 1, 60.0);
  auto up = boss_->put_bytes(draft + "/steps/1/audio", first, "audio/wav");
  ASSERT_EQ(up.status, 200) << up.raw;
  auto first_id = up.body["steps"]["1"]["audio_url"].get<std::string>();
  first_id = first_id.substr(first_id.rfind('/') + 1, 64);
  EXPECT_EQ(boss_->put_bytes(draft + "/steps/1/audio", second, "audio/wav").code(),
            "audio_quota_exceeded");
  EXPECT_EQ(boss_->put_bytes(draft + "/steps/1/audio", first, "audio/wav").status, 200)
      << "a file the account stores already costs nothing";
  // Deleted, the file still counts until it is swept: an hour after its last use.
  ASSERT_EQ(boss_->del(draft + "/steps/1").status, 200);
  EXPECT_EQ(boss_->put_bytes(draft + "/steps/1/audio", second, "audio/wav").code(),
            "audio_quota_exceeded");
  ASSERT_TRUE(node_->control().audio(first_id) && *node_->control().audio(first_id));
  for (int i = 0; i < 4; ++i) {  // an hour and a bit, the session kept alive
    shift_ += 16 * minute_ms;
    ASSERT_EQ(boss_->get(draft).status, 200);
  }
  ASSERT_EQ(boss_->put(draft + "/steps/2", {{"text", "any change sweeps"}}).status, 200);
  EXPECT_TRUE(test::eventually([&] {
    auto bytes = node_->control().audio(first_id);
    return bytes && !*bytes;
  })) << "the swept file's chunks are gone";
  auto again = boss_->put_bytes(draft + "/steps/1/audio", second, "audio/wav");
  EXPECT_EQ(again.status, 200) << again.raw;
}

TEST_F(ControlPlaneTest, BadInputIsRefusedWithAClearErrorAndNothingIsStored) {
  bootstrap();
  const std::string number = "05011110002";
  const std::string draft = "/v1/flows/" + number + "/draft";
  ASSERT_EQ(boss_->post("/v1/flows/" + number, json::object()).status, 201);
  auto before = boss_->get(draft).raw;

  auto expect = [&](const test::reply& r, int status, const std::string& code) {
    EXPECT_EQ(r.status, status) << r.raw;
    EXPECT_EQ(r.code(), code) << r.raw;
    EXPECT_FALSE(r.body["error"].value("message", "").empty());
  };
  expect(boss_->send("PUT", draft, "{\"steps\": "), 400, "bad_json");
  expect(boss_->send("PUT", draft, "[1,2]"), 400, "bad_json");
  expect(boss_->send("PUT", draft, std::string(70000, ' ')), 413, "body_too_large");
  expect(boss_->put(draft, {{"steps", {{"1", {{"text", std::string(101, 'a')}}}}}}), 400,
         "text_too_long");
  expect(boss_->put(draft, {{"steps", {{"3", {{"text", "x"}}}}}}), 400, "step_not_editable");
  std::string body660(660, 'x');
  EXPECT_EQ(boss_->put(draft + "/sms", {{"sender_id", "0312345678"}, {"body", body660}}).status,
            200);
  before = boss_->get(draft).raw;
  expect(boss_->put(draft + "/sms", {{"sender_id", "0312345678"}, {"body", body660 + "y"}}), 400,
         "body_too_long");
  expect(boss_->put(draft + "/sms", {{"sender_id", "0399999999"}, {"body", "hi"}}), 400,
         "unknown_sender_id");
  std::string six_urls;
  for (int i = 0; i < 6; ++i)
    six_urls += "https://example.jp/" + std::to_string(i) + " ";
  expect(boss_->put(draft + "/sms",
                    {{"sender_id", "0312345678"}, {"body", six_urls}, {"short_urls", true}}),
         400, "too_many_urls");
  // 652 characters as typed; the short link (25 characters) makes it longer than 660.
  std::string near(640, 'x');
  expect(boss_->put(
             draft + "/sms",
             {{"sender_id", "0312345678"}, {"body", near + " http://a.jp"}, {"short_urls", true}}),
         400, "body_too_long");
  EXPECT_EQ(boss_->get(draft).raw, before) << "a refused change stored something";

  // Audio: the step holds text, so it must be deleted first; then each rule has its code.
  auto good = make_wav(8000, 1, 1.0);
  expect(boss_->put_bytes(draft + "/steps/1/audio", good, "audio/wav"), 409, "delete_step_first");
  ASSERT_EQ(boss_->del(draft + "/steps/1").status, 200);
  before = boss_->get(draft).raw;
  expect(boss_->put_bytes(draft + "/steps/1/audio", make_wav(16000, 1, 1.0), "audio/wav"), 400,
         "audio_not_8khz");
  expect(boss_->put_bytes(draft + "/steps/1/audio", make_wav(8000, 2, 1.0), "audio/wav"), 400,
         "audio_not_mono");
  expect(boss_->put_bytes(draft + "/steps/1/audio", make_wav(8000, 1, 1.0, true), "audio/wav"), 400,
         "audio_not_mulaw");
  expect(boss_->put_bytes(draft + "/steps/1/audio", "RIFF not really", "audio/wav"), 400,
         "audio_not_wav");
  EXPECT_EQ(boss_->get(draft).raw, before);
  auto up = boss_->put_bytes(draft + "/steps/1/audio", good, "audio/wav");
  ASSERT_EQ(up.status, 200) << up.raw;
  EXPECT_EQ(boss_->get(draft + "/steps/1/audio").raw, good);

  // Reports: dates and phone numbers.
  expect(boss_->get("/v1/delivery-log?from=2026-13-01&to=2026-12-02"), 400, "bad_date");
  expect(boss_->get("/v1/delivery-log?to=2026-12-02"), 400, "required");
  expect(boss_->get("/v1/delivery-log?from=2020-01-01&to=2020-01-02"), 400, "out_of_range");
  auto today = [&] {
    std::string s;
    auto ms = unix_now_ms() + shift_.load() + 9 * 3600 * 1000;
    auto days = std::chrono::floor<std::chrono::days>(
        std::chrono::sys_time<std::chrono::milliseconds>{std::chrono::milliseconds{ms}});
    std::chrono::year_month_day ymd{days};
    char buf[16];
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(ymd.year()),
                  static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
    return std::string{buf};
  }();
  expect(boss_->get("/v1/delivery-log?from=" + today + "&to=" + today + "T23:59&destination=12ab"),
         400, "bad_phone_number");
  expect(boss_->get("/v1/call-counts?from=" + today + "&to=" + today), 400, "out_of_range");
  expect(boss_->get("/v1/call-counts?from=yesterday&to=" + today), 400, "bad_date");
  // Users: bad address, unknown account.
  expect(boss_->post("/v1/users", {{"email", "not-an-address"},
                                   {"name", "X"},
                                   {"roles", {{{"account_id", "a1"}, {"role", "member"}}}}}),
         400, "bad_email");
  expect(boss_->post("/v1/users", {{"email", "x@example.jp"},
                                   {"name", "X"},
                                   {"roles", {{{"account_id", "zz"}, {"role", "member"}}}}}),
         400, "unknown_account");
  EXPECT_EQ(boss_->get("/v1/users").body["users"].size(), 1u) << "no user was stored";
  expect(op_->put("/v1/admin/accounts/a3",
                  {{"enterprise_id", "e1"}, {"name", "X"}, {"incoming_numbers", {"05011110001"}}}),
         400, "number_taken");
}

/// A body with an unknown field nested where `pattern` (route_info::fields) names one, and the
/// field's name as the refusal should give it.
std::pair<json, std::string> nested_typo(const std::string& pattern) {
  auto dot = pattern.find('.');
  auto head = pattern.substr(0, dot);
  if (dot == std::string::npos)
    return {json{{head + "_typo", 1}}, head + "_typo"};
  auto [inner, name] = nested_typo(pattern.substr(dot + 1));
  if (head == "*")
    return {json{{"1", inner}}, "1." + name};
  if (head.ends_with("[]")) {
    auto key = head.substr(0, head.size() - 2);
    return {json{{key, json::array({inner})}}, key + "[0]." + name};
  }
  return {json{{head, inner}}, head + "." + name};
}

TEST_F(ControlPlaneTest, EveryMutatingRouteRefusesOtherContentTypesAndUnknownFields) {
  bootstrap();
  ASSERT_EQ(boss_->post("/v1/flows/05011110002", json::object()).status, 201);
  auto applied = node_->control().applied();
  auto mails = sink_.mails_to("boss@example.jp").size();
  size_t checked = 0;
  for (const auto& r : control::api::routes()) {
    if (r.method == "GET")
      continue;
    auto path = concrete(r.pattern);
    if (path.starts_with("/v1/flows/"))
      path.replace(0, 21, "/v1/flows/05011110002");  // a number with a flow
    auto& client = r.need == control::access::operator_only ? *op_ : *boss_;
    SCOPED_TRACE(r.method + " " + path);
    ++checked;
    for (const char* type : {"text/plain", "", "application/x-www-form-urlencoded"}) {
      auto res = client.send(r.method, path, "{}", type);
      EXPECT_EQ(res.status, 415) << type << ": " << res.raw;
      EXPECT_EQ(res.code(), "unsupported_media_type");
    }
    if (r.body == control::body_kind::wav) {
      EXPECT_EQ(client.send(r.method, path, "{}").status, 415);  // JSON is not audio
      continue;
    }
    auto unknown = client.send(r.method, path, R"({"no_such_field": 1})");
    EXPECT_EQ(unknown.status, 400) << unknown.raw;
    EXPECT_EQ(unknown.code(), "unknown_field");
    EXPECT_NE(unknown.body["error"].value("message", "").find("no_such_field"), std::string::npos)
        << unknown.raw;
    for (const auto& f : r.fields) {
      if (f.find('.') == std::string::npos)
        continue;
      auto [body, name] = nested_typo(f);
      auto res = client.send(r.method, path, body.dump());
      EXPECT_EQ(res.status, 400) << body.dump() << " " << res.raw;
      EXPECT_EQ(res.code(), "unknown_field");
      EXPECT_NE(res.raw.find("\"" + name + "\""), std::string::npos) << name << " " << res.raw;
    }
  }
  EXPECT_GE(checked, 21u) << "every POST, PUT and DELETE of the route table";
  EXPECT_EQ(node_->control().applied(), applied) << "a refused request stored something";
  EXPECT_EQ(sink_.mails_to("boss@example.jp").size(), mails) << "a refused request sent a mail";
  // The session survived its refused DELETE, and a well-formed request still works.
  EXPECT_EQ(boss_->get("/v1/session").status, 200);
  EXPECT_EQ(boss_->put("/v1/flows/05011110002/draft/steps/1", {{"text", "ok"}}).status, 200);
}

TEST_F(ControlPlaneTest, FirstAdminLogsInOnANodeWithoutSmtp) {
  settings_.smtp.url.clear();
  start();
  ASSERT_EQ(
      op_->post("/v1/admin/enterprises", {{"enterprise_id", "e1"}, {"name", "Example"}}).status,
      201);
  ASSERT_EQ(op_->put("/v1/admin/accounts/a1", {{"enterprise_id", "e1"},
                                               {"name", "Main"},
                                               {"incoming_numbers", {"050-1111-0001"}},
                                               {"sender_ids", {"0312345678"}}})
                .status,
            201);
  auto boss = op_->post("/v1/admin/users",
                        {{"enterprise_id", "e1"},
                         {"email", "boss@example.jp"},
                         {"name", "Boss"},
                         {"roles", {{{"account_id", "a1"}, {"role", "enterprise_admin"}}}}});
  ASSERT_EQ(boss.status, 201) << boss.raw;
  EXPECT_FALSE(boss.body.value("mail_sent", true)) << "no mail went out";
  EXPECT_EQ(boss.body.value("mail", ""), "not_configured");
  auto temp = boss.body.value("temporary_password", "");
  ASSERT_FALSE(temp.empty()) << "the operator's answer is the only way to the password";

  test::portal_client c{port_};
  auto r = c.login("boss@example.jp", temp);
  ASSERT_EQ(r.status, 200) << r.raw;
  EXPECT_TRUE(r.body.value("password_change_required", false));
  ASSERT_EQ(
      c.post("/v1/session/password", {{"current_password", temp}, {"new_password", good_password}})
          .status,
      204);
  test::portal_client again{port_};
  ASSERT_EQ(again.login("boss@example.jp", good_password).status, 200);
  ASSERT_EQ(again.post("/v1/session/account", {{"account_id", "a1"}}).status, 200);
  // An enterprise admin is told the truth too, and never sees another user's password.
  auto member = again.post("/v1/users", {{"email", "m@example.jp"},
                                         {"name", "M"},
                                         {"roles", {{{"account_id", "a1"}, {"role", "member"}}}}});
  ASSERT_EQ(member.status, 201) << member.raw;
  EXPECT_FALSE(member.body.value("mail_sent", true));
  EXPECT_EQ(member.body.value("mail", ""), "not_configured");
  EXPECT_FALSE(member.body.contains("temporary_password"));
}

TEST_F(ControlPlaneTest, SmsPreviewCountsSegmentsPerCarrier) {
  bootstrap();
  auto r = boss_->post("/v1/sms/preview", {{"body", std::string(134, 'x')}});
  ASSERT_EQ(r.status, 200) << r.raw;
  EXPECT_EQ(r.body["sent_length"], 134);
  EXPECT_EQ(r.body["segments"]["au"], 2);
  EXPECT_EQ(r.body["segments"]["docomo"], 3);
  EXPECT_EQ(r.body["segments"]["softbank"], 1);
  auto link =
      boss_->post("/v1/sms/preview", {{"body", "see https://example.jp/x"}, {"short_urls", true}});
  EXPECT_EQ(link.body["length"], 24);
  EXPECT_TRUE(link.body["length_may_differ"].get<bool>());
}

TEST_F(ControlPlaneTest, ASecondNodeWithAnEmptyDiskServesTheSameState) {
  bootstrap();
  const std::string number = "05011110001";
  ASSERT_EQ(boss_->post("/v1/flows/" + number, json::object()).status, 201);
  set_texts(*boss_, number, "v1");
  ASSERT_EQ(boss_->post("/v1/flows/" + number + "/publish", json::object()).status, 200);
  auto member = user_with("member");
  call_driver calls{*bus_};
  ASSERT_TRUE(test::eventually([&] { return node_->owned_partitions() > 0; }));
  for (int i = 0; i < 3; ++i) {
    auto id = "call-" + std::to_string(i);
    calls.start_call(id, number);
    calls.played(id, 1);
    calls.digits(id, 1, "0901234567" + std::to_string(i));
    calls.played(id, 2);
  }
  auto now = unix_now_ms();
  auto log_query =
      "/v1/delivery-log?from=" + api_time(now - 3600 * 1000) + "&to=" + api_time(now + 3600 * 1000);
  ASSERT_TRUE(test::eventually([&] { return boss_->get(log_query).body["rows"].size() == 3; }))
      << boss_->get(log_query).raw;

  auto second = start_node(dir_.path() + "/node-b");
  ASSERT_TRUE(second);
  test::portal_client b{second->http_port()};
  ASSERT_EQ(b.login("boss@example.jp", good_password).status, 200);
  ASSERT_EQ(b.post("/v1/session/account", {{"account_id", "a1"}}).status, 200);
  EXPECT_EQ(b.get("/v1/users").body, boss_->get("/v1/users").body);
  EXPECT_EQ(b.get("/v1/numbers").body, boss_->get("/v1/numbers").body);
  EXPECT_EQ(b.get("/v1/flows/" + number + "/published").body,
            boss_->get("/v1/flows/" + number + "/published").body);
  EXPECT_TRUE(test::eventually([&] { return b.get(log_query).body == boss_->get(log_query).body; }))
      << b.get(log_query).raw;
  EXPECT_TRUE(test::eventually([&] {
    return second->counts().totals() && node_->counts().totals() &&
           *second->counts().totals() == *node_->counts().totals();
  }));
  EXPECT_EQ((*second->counts().totals())[number], 3u);
  test::portal_client m{second->http_port()};
  EXPECT_EQ(m.login("member@example.jp", good_password).status, 200);
}

/// Writes delivery-log rows as the SMS side does: status events on sms.status.
class status_writer {
 public:
  explicit status_writer(kafka::bus& b) {
    auto p = kafka::producer::open(b, "test-status", {});
    EXPECT_TRUE(p);
    producer_ = std::move(*p);
    topic_ = producer_->topic(b.topic(topics::sms_status));
  }

  /// A message of `account` scheduled at `at_ms`, from `incoming` to `destination`; with
  /// `final_status`, a second event closes it (as the sender's, with the row's detail).
  void message(const std::string& id, const std::string& account, int64_t at_ms,
               const std::string& incoming, const std::string& destination,
               const std::string& campaign,
               std::optional<sms::delivery_status> final_status = std::nullopt) {
    wire::StatusEvent ev;
    ev.set_kind(wire::StatusEvent::ACCEPTED);
    ev.set_message_id(id);
    ev.set_at_ms(at_ms);
    auto* d = ev.mutable_detail();
    d->set_job_id(campaign + "-" + id);
    d->set_account_id(account);
    d->set_requested_at_ms(at_ms);
    d->set_destination(destination);
    d->set_incoming_number(incoming);
    d->set_flow_version_id(campaign);
    d->set_body("予約はこちら");
    write(ev);
    if (final_status) {
      ev.set_kind(wire::StatusEvent::FINAL);
      ev.set_at_ms(at_ms + 10);
      ev.set_status(static_cast<int32_t>(*final_status));
      write(ev);
    }
  }
  void flush() { EXPECT_TRUE(producer_->flush(test::scaled(std::chrono::seconds{10}))); }

 private:
  void write(const wire::StatusEvent& ev) {
    std::string bytes;
    ev.SerializeToString(&bytes);
    EXPECT_TRUE(producer_->produce(topic_, ev.message_id(), bytes, 0));
  }
  std::unique_ptr<kafka::producer> producer_;
  kafka::producer::topic_ref topic_;
};

TEST_F(ControlPlaneTest, ATenantPagesFiltersAndDownloadsItsOwnRowsOnly) {
  bootstrap();
  auto other = other_admin("e1", "a3", "050-3333-0001", "0312345670");
  ASSERT_TRUE(other);
  ASSERT_EQ(other->post("/v1/session/account", {{"account_id", "a3"}}).status, 200);

  // a1: 250 rows over two incoming numbers and two 案件, every fifth delivered; a3: 300 rows
  // at the same times to the same destinations.
  auto t0 = unix_now_ms() - 3600 * 1000;
  status_writer w{*bus_};
  std::set<std::string> a1_ids;
  for (int i = 0; i < 250; ++i) {
    auto id = "a1-m" + std::to_string(i);
    a1_ids.insert(id);
    w.message(id, "a1", t0 + i * 1000, i % 2 ? "05011110002" : "05011110001",
              "0901234" + std::to_string(1000 + i % 10), i % 2 ? "v2-c1" : "v1-c1",
              i % 5 == 0 ? std::optional{sms::delivery_status::delivered} : std::nullopt);
  }
  for (int i = 0; i < 300; ++i)
    w.message("a3-m" + std::to_string(i), "a3", t0 + i * 1000, "05033330001",
              "0901234" + std::to_string(1000 + i % 10), "v9-c1");
  w.flush();
  auto range = "from=" + api_time(t0 - 1000) + "&to=" + api_time(t0 + 3600 * 1000);
  auto search = [&](test::portal_client& c, const std::string& more) {
    return c.get("/v1/delivery-log?" + range + more);
  };
  ASSERT_TRUE(test::eventually([&] {
    return search(*boss_, "&limit=1000&status=preparing").body["rows"].size() == 200 &&
           search(*other, "&limit=1000").body["rows"].size() == 300;
  })) << search(*boss_, "&limit=1000").raw.substr(0, 300);

  // Paging, newest first: every row of a1 once, none of a3, in falling time order.
  std::map<std::string, int> seen;
  std::string next, last_time = "9999";
  int pages = 0;
  for (;; ++pages) {
    auto r = search(*boss_, "&limit=40" + (next.empty() ? "" : "&next=" + next));
    ASSERT_EQ(r.status, 200) << r.raw;
    for (const auto& row : r.body["rows"]) {
      ++seen[row["message_id"].get<std::string>()];
      auto t = row["scheduled_at"].get<std::string>();
      EXPECT_LE(t, last_time);
      last_time = t;
    }
    if (r.body["next"].is_null())
      break;
    next = r.body["next"].get<std::string>();
  }
  EXPECT_EQ(pages, 6);  // 250 rows by 40
  EXPECT_EQ(seen.size(), 250u);
  for (const auto& [id, n] : seen) {
    EXPECT_TRUE(a1_ids.contains(id)) << id;
    EXPECT_EQ(n, 1) << id;
  }

  // A token is good for its search in its session only.
  auto first = search(*boss_, "&limit=10");
  auto token = first.body["next"].get<std::string>();
  EXPECT_EQ(search(*boss_, "&limit=10&next=" + token).status, 200);
  EXPECT_EQ(search(*other, "&limit=10&next=" + token).code(), "bad_token") << "another tenant";
  EXPECT_EQ(search(*boss_, "&limit=10&status=delivered&next=" + token).code(), "bad_token")
      << "another search";
  auto forged = token;
  forged[3] = forged[3] == '0' ? '1' : '0';
  EXPECT_EQ(search(*boss_, "&limit=10&next=" + forged).code(), "bad_token") << "edited";
  test::portal_client again{port_};
  ASSERT_EQ(again.login("boss@example.jp", good_password).status, 200);
  ASSERT_EQ(again.post("/v1/session/account", {{"account_id", "a1"}}).status, 200);
  EXPECT_EQ(search(again, "&limit=10&next=" + token).code(), "bad_token") << "another session";

  // Filters, alone and together; each row they return is a1's and matches.
  auto count = [&](test::portal_client& c, const std::string& f) {
    auto r = search(c, "&limit=1000" + f);
    EXPECT_EQ(r.status, 200) << f << " " << r.raw;
    return r.body["rows"].size();
  };
  EXPECT_EQ(count(*boss_, "&status=delivered"), 50u);
  EXPECT_EQ(count(*boss_, "&status=delivered,preparing"), 250u);
  EXPECT_EQ(count(*boss_, "&arrival=delivered"), 50u);
  EXPECT_EQ(count(*boss_, "&arrival=pending"), 200u);
  EXPECT_EQ(count(*boss_, "&arrival=undelivered"), 0u);
  EXPECT_EQ(count(*boss_, "&incoming_number=%2B815011110002"), 125u);
  EXPECT_EQ(count(*boss_, "&campaign=v1-c1"), 125u);
  EXPECT_EQ(count(*boss_, "&campaign=IVRCampaign_v2-c1&status=delivered"), 25u);
  EXPECT_EQ(count(*boss_, "&incoming_number=05033330001"), 0u) << "a3's number";
  EXPECT_EQ(count(*boss_, "&campaign=v9-c1"), 0u) << "a3's 案件";
  EXPECT_EQ(count(*boss_, "&destination=09012341003"), 25u);
  EXPECT_EQ(count(*other, "&destination=09012341003"), 30u);
  EXPECT_EQ(count(*boss_, "&destination=09012341003&incoming_number=05011110002"), 25u);
  EXPECT_EQ(count(*boss_, "&order=oldest&status=delivered"), 50u);
  auto delivered = search(*boss_, "&limit=1000&status=delivered");  // outlives the loop
  for (const auto& row : delivered.body["rows"]) {
    EXPECT_EQ(row["status"], "到達済");
    EXPECT_TRUE(a1_ids.contains(row["message_id"].get<std::string>()));
  }
  auto oldest = search(*boss_, "&limit=1&order=oldest");
  EXPECT_EQ(oldest.body["rows"][0]["message_id"], "a1-m0");
  EXPECT_EQ(search(*boss_, "&limit=1").body["rows"][0]["message_id"], "a1-m249");
  EXPECT_EQ(search(*boss_, "&status=arrived").code(), "bad_status");
  EXPECT_EQ(search(*boss_, "&arrival=yes").code(), "bad_arrival");
  EXPECT_EQ(search(*boss_, "&order=sideways").code(), "bad_order");
  EXPECT_EQ(search(*boss_, "&incoming_number=12ab").code(), "bad_phone_number");
  EXPECT_EQ(search(*boss_, "&stauts=delivered").code(), "unknown_parameter") << "misspelt";

  // The CSV: the tenant's rows only, with the search's filters.
  auto csv_lines = [&](test::portal_client& c, const std::string& f) {
    auto r = c.get("/v1/delivery-log.csv?" + range + f);
    EXPECT_EQ(r.status, 200) << r.raw.substr(0, 200);
    std::vector<std::string> lines;
    std::istringstream in{r.raw};
    for (std::string line; std::getline(in, line);)
      lines.push_back(line);
    return lines;
  };
  auto mine = csv_lines(*boss_, "");
  ASSERT_EQ(mine.size(), 251u);  // header and 250 rows
  for (size_t i = 1; i < mine.size(); ++i)
    EXPECT_EQ(mine[i].find("a3-m"), std::string::npos) << mine[i];
  EXPECT_EQ(csv_lines(*other, "").size(), 301u);
  EXPECT_EQ(csv_lines(*boss_, "&status=delivered").size(), 51u);
  EXPECT_EQ(csv_lines(*boss_, "&incoming_number=05011110001&campaign=v1-c1").size(), 126u);
}

// -- several nodes, one control plane -----------------------------------------------------

/// A client of another node that carries `from`'s session (the same browser, a balancer that
/// sends it anywhere).
std::unique_ptr<test::portal_client> same_browser(const test::portal_client& from, int port) {
  auto c = std::make_unique<test::portal_client>(port);
  c->session_cookie = from.session_cookie;
  c->csrf = from.csrf;
  return c;
}

TEST_F(ControlPlaneTest, ConcurrentWrongLoginsOverThreeNodesLockTheUserAfterExactlyFive) {
  bootstrap();
  auto b = start_node(dir_.path() + "/node-b");
  auto c = start_node(dir_.path() + "/node-c");
  ASSERT_TRUE(b && c);
  auto applied = node_->control().applied();
  ASSERT_TRUE(test::eventually(
      [&] { return b->control().applied() >= applied && c->control().applied() >= applied; }));
  const std::vector<int> ports{port_, b->http_port(), c->http_port()};
  constexpr int per_node = 6;
  std::mutex mtx;
  std::map<int, int> by_status;
  std::vector<std::thread> tries;
  for (int n = 0; n < 3; ++n)
    for (int i = 0; i < per_node; ++i)
      tries.emplace_back([&, port = ports[n]] {
        test::portal_client client{port};
        auto r = client.login("boss@example.jp", "Wrong#Pass2026");
        std::lock_guard<std::mutex> guard{mtx};
        ++by_status[r.status];
      });
  for (auto& t : tries)
    t.join();
  // Every failure counted once, wherever it landed: four refusals, then the lock.
  EXPECT_EQ(by_status[401], 4);
  EXPECT_EQ(by_status[423], 3 * per_node - 4);
  for (auto port : ports) {
    test::portal_client client{port};
    EXPECT_EQ(client.login("boss@example.jp", good_password).code(), "locked") << port;
  }
}

TEST_F(ControlPlaneTest, AnUnknownAddressIsLockedOnEveryNodeByFailuresOnAny) {
  bootstrap();
  auto b = start_node(dir_.path() + "/node-b");
  auto c = start_node(dir_.path() + "/node-c");
  ASSERT_TRUE(b && c);
  const char* nobody = "nobody@example.jp";
  test::portal_client on_a{port_};
  for (int i = 0; i < 4; ++i)
    EXPECT_EQ(on_a.login(nobody, "Wrong#Pass2026").status, 401);
  // Node b has folded the four failures into its audit trail: its fifth locks, as one node's
  // fifth would.
  auto trail_on = [&](int port, size_t rows) {
    test::portal_client op{port};
    op.bearer = admin_token;
    return test::eventually([&] {
      auto r = op.get(std::string{"/v1/admin/audit?email="} + nobody);
      return r.status == 200 && r.body["rows"].size() == rows;
    });
  };
  ASSERT_TRUE(trail_on(b->http_port(), 4));
  test::portal_client on_b{b->http_port()};
  EXPECT_EQ(on_b.login(nobody, "Wrong#Pass2026").status, 423);
  // Node c, which counted nothing itself, refuses once the lock reached its trail.
  ASSERT_TRUE(trail_on(c->http_port(), 6));  // four failures, the fifth, the lock
  test::portal_client on_c{c->http_port()};
  EXPECT_EQ(on_c.login(nobody, "Wrong#Pass2026").code(), "locked");
  shift_ += 31 * minute_ms;
  EXPECT_EQ(on_c.login(nobody, "Wrong#Pass2026").status, 401) << "the lock ended";
}

TEST_F(ControlPlaneTest, OneAddressGetsItsLoginsPerMinuteOverEveryNodeNotOnEach) {
  settings_.security.logins_per_minute = 6;
  bootstrap();  // one login from this address, on node a
  auto b = start_node(dir_.path() + "/node-b");
  auto c = start_node(dir_.path() + "/node-c");
  ASSERT_TRUE(b && c);
  // How many attempts a node's audit trail holds (each node folds every node's).
  auto attempts_on = [&](int port, size_t n) {
    test::portal_client op{port};
    op.bearer = admin_token;
    return test::eventually([&] {
      auto r = op.get(std::string{"/v1/admin/audit?event="} +
                      std::string{storage::address_attempt_event});
      return r.status == 200 && r.body["rows"].size() == n;
    });
  };
  test::portal_client on_a{port_}, on_b{b->http_port()}, on_c{c->http_port()};
  EXPECT_EQ(on_a.login("nobody@example.jp", "Wrong#Pass2026").status, 401);
  ASSERT_TRUE(attempts_on(b->http_port(), 2));
  EXPECT_EQ(on_b.login("nobody@example.jp", "Wrong#Pass2026").status, 401);
  EXPECT_EQ(on_b.post("/v1/password-resets", {{"email", "boss@example.jp"}}).status, 202);
  ASSERT_TRUE(attempts_on(c->http_port(), 4));
  EXPECT_EQ(on_c.login("nobody@example.jp", "Wrong#Pass2026").status, 401);
  EXPECT_EQ(on_c.login("nobody@example.jp", "Wrong#Pass2026").status, 401);  // the sixth
  // Six in this minute over three nodes: every node refuses the seventh, logins and resets,
  // though none of them let more than three through itself.
  ASSERT_TRUE(attempts_on(b->http_port(), 6));
  ASSERT_TRUE(attempts_on(port_, 6));
  EXPECT_EQ(on_c.login("boss@example.jp", good_password).code(), "too_many_attempts");
  EXPECT_EQ(on_b.login("boss@example.jp", good_password).code(), "too_many_attempts");
  EXPECT_EQ(on_a.post("/v1/password-resets", {{"email", "boss@example.jp"}}).code(),
            "too_many_attempts");
  shift_ += minute_ms;
  EXPECT_NE(on_b.login("boss@example.jp", good_password).status, 429) << "a minute later";
}

TEST_F(ControlPlaneTest, SessionsAreServedByEveryNodeAndEndEverywhere) {
  bootstrap();
  auto member = user_with("member");
  auto b = start_node(dir_.path() + "/node-b");
  auto c = start_node(dir_.path() + "/node-c");
  ASSERT_TRUE(b && c);
  auto boss_b = same_browser(*boss_, b->http_port());
  auto boss_c = same_browser(*boss_, c->http_port());
  auto member_b = same_browser(*member, b->http_port());
  ASSERT_TRUE(test::eventually([&] { return boss_b->get("/v1/numbers").status == 200; }));
  // A change through another node, with the same CSRF token.
  EXPECT_EQ(boss_c->post("/v1/session/account", {{"account_id", "a1"}}).status, 200);
  EXPECT_EQ(member_b->get("/v1/numbers").status, 200);

  // A role change on node c ends the member's session on node b (and a).
  auto uid = member->get("/v1/session").body["user"].value("user_id", "");
  ASSERT_FALSE(uid.empty());
  auto changed =
      boss_c->put("/v1/users/" + uid, {{"roles", {{{"account_id", "a1"}, {"role", "admin"}}}}});
  ASSERT_EQ(changed.status, 200) << changed.raw;
  EXPECT_TRUE(
      test::eventually([&] { return member_b->get("/v1/numbers").code() == "not_logged_in"; },
                       std::chrono::seconds{5}));
  EXPECT_EQ(member->get("/v1/numbers").code(), "not_logged_in");

  // A node restart logs nobody out: node a again, on its disk.
  node_.reset();
  auto again = start_node(settings_.node.data_dir);
  ASSERT_TRUE(again);
  auto boss_again = same_browser(*boss_, again->http_port());
  EXPECT_EQ(boss_again->get("/v1/numbers").status, 200);

  // A logout on node b ends the session on every node within seconds.
  EXPECT_EQ(boss_b->del("/v1/session").status, 204);
  EXPECT_TRUE(test::eventually(
      [&] {
        return boss_c->get("/v1/numbers").code() == "not_logged_in" &&
               boss_again->get("/v1/numbers").code() == "not_logged_in";
      },
      std::chrono::seconds{5}));
}

TEST_F(ControlPlaneTest, ADeletedUserStaysDeletedWhateverItsSessionsDo) {
  bootstrap();
  auto member = user_with("member");
  auto uid = member->get("/v1/session").body["user"].value("user_id", "");
  auto b = start_node(dir_.path() + "/node-b");
  auto c = start_node(dir_.path() + "/node-c");
  ASSERT_TRUE(b && c);
  auto member_b = same_browser(*member, b->http_port());
  ASSERT_TRUE(test::eventually([&] { return member_b->get("/v1/numbers").status == 200; }));

  // The member's session on node b changes the password over and over, and wrong logins for
  // the member land on node c, while the enterprise admin deletes the member on node a.
  std::atomic<bool> deleted{false};
  std::atomic<int> changes{0};
  std::thread changer{[&] {
    const std::string pws[] = {good_password, "Other#Pass2027"};
    for (int i = 0; i < 200; ++i) {
      auto r = member_b->post("/v1/session/password", {{"current_password", pws[i % 2]},
                                                       {"new_password", pws[(i + 1) % 2]}});
      if (r.status != 204)
        break;
      ++changes;
      if (deleted && i % 2 == 1)
        break;
    }
  }};
  std::thread guesser{[&, port = c->http_port()] {
    for (int i = 0; i < 30 && !deleted; ++i) {
      test::portal_client g{port};
      (void)g.login("member@example.jp", "Wrong#Pass2026");
    }
  }};
  ASSERT_TRUE(test::eventually([&] { return changes >= 2; }));
  auto del = boss_->del("/v1/users/" + uid);
  EXPECT_EQ(del.status, 204) << del.raw;
  deleted = true;
  changer.join();
  guesser.join();

  auto end = std::max({node_->control().applied(), b->control().applied(), c->control().applied()});
  for (auto* n : {node_.get(), b.get(), c.get()}) {
    ASSERT_TRUE(n->control().wait_applied(end, test::scaled(std::chrono::seconds{10})));
    auto rec = n->control().get("user/" + uid);
    ASSERT_TRUE(rec && *rec);
    EXPECT_TRUE((*rec)->user().deleted()) << n->http_port();
    EXPECT_TRUE((*rec)->user().password_hash().empty());
  }
  EXPECT_EQ(member_b->get("/v1/numbers").code(), "not_logged_in");
  // Refused as an unknown address: 401, or 423 once the guesser's failures and these reach the
  // address's limit (the count is the address's, deleted user or not).
  for (const auto* pw : {good_password, "Other#Pass2027"}) {
    test::portal_client again{b->http_port()};
    auto r = again.login("member@example.jp", pw);
    EXPECT_TRUE(r.status == 401 || r.status == 423) << r.raw;
    EXPECT_EQ(again.get("/v1/session").code(), "not_logged_in");
  }
  auto users = boss_->get("/v1/users").body["users"];
  for (const auto& u : users)
    EXPECT_NE(u.value("user_id", ""), uid);
}

TEST_F(ControlPlaneTest, MonthlyUsageShowsAnAccountItsOwnAndTheOperatorEveryAccount) {
  bootstrap();
  // Send records as senders write them: a1 has two au messages (one of three parts) and one
  // docomo 一部失敗 (two of three parts accepted); a2 one SoftBank message; all this month.
  auto now = unix_now_ms();
  auto rec = [&](const std::string& id, const std::string& account, int carrier, int parts,
                 int segments, bool whole) {
    wire::SendRecord r;
    r.set_message_id(id);
    r.set_state(whole ? wire::SendRecord::SUBMITTED : wire::SendRecord::CLOSED);
    r.set_carrier(carrier);
    for (int i = 0; i < parts; ++i)
      r.add_smsc_ids(id + "-" + std::to_string(i));
    r.set_account_id(account);
    r.set_segments(segments);
    r.set_at_ms(now);
    return r.SerializeAsString();
  };
  auto p = kafka::producer::open(*bus_, "usage-records", [](uint64_t, bool) {});
  ASSERT_OK(p);
  auto t = (*p)->topic(bus_->topic(topics::sms_sends));
  for (const auto& [id, bytes] :
       std::vector<std::pair<std::string, std::string>>{{"u1", rec("u1", "a1", 1, 3, 3, true)},
                                                        {"u2", rec("u2", "a1", 1, 1, 1, true)},
                                                        {"u3", rec("u3", "a1", 2, 2, 3, false)},
                                                        {"u1", rec("u1", "a1", 1, 3, 3, true)},
                                                        {"u4", rec("u4", "a2", 3, 1, 1, true)}})
    ASSERT_TRUE((*p)->produce(t, id, bytes, 0));
  ASSERT_OK((*p)->flush(test::scaled(std::chrono::seconds{10})));

  auto month = sms::jst_month(now);
  char month_text[16];
  std::snprintf(month_text, sizeof month_text, "%04u-%02u", month / 100, month % 100);
  test::reply mine;
  ASSERT_TRUE(test::eventually([&] {
    mine = boss_->get("/v1/usage");
    return mine.status == 200 && mine.body["totals"]["messages"] == 3;
  })) << mine.raw;
  EXPECT_EQ(mine.body["from"], month_text);
  ASSERT_EQ(mine.body["rows"].size(), 2u) << mine.raw;
  EXPECT_EQ(mine.body["rows"][0]["carrier"], "au");
  EXPECT_EQ(mine.body["rows"][0]["messages"], 2);
  EXPECT_EQ(mine.body["rows"][0]["segments"], 4);
  EXPECT_EQ(mine.body["rows"][0]["parts"], 4);
  EXPECT_EQ(mine.body["rows"][1]["carrier"], "docomo");
  EXPECT_EQ(mine.body["rows"][1]["segments"], 2);
  EXPECT_EQ(mine.body["totals"]["parts"], 6);

  auto file = boss_->get("/v1/usage.csv?from=" + std::string{month_text});
  ASSERT_EQ(file.status, 200);
  EXPECT_EQ(file.raw, "\xEF\xBB\xBF年月,キャリア,通数,文字分割数,送信パート数\r\n" +
                          std::string{month_text} + ",au,2,4,4\r\n" + month_text +
                          ",docomo,1,2,2\r\n");

  auto all = op_->get("/v1/admin/usage");
  ASSERT_EQ(all.status, 200) << all.raw;
  ASSERT_EQ(all.body["accounts"].size(), 2u) << all.raw;
  EXPECT_EQ(all.body["accounts"][0]["account_id"], "a1");
  EXPECT_EQ(all.body["accounts"][0]["account_name"], "Main");
  EXPECT_EQ(all.body["accounts"][1]["account_id"], "a2");
  EXPECT_EQ(all.body["accounts"][1]["rows"][0]["carrier"], "softbank");
  EXPECT_EQ(all.body["totals"]["messages"], 4);

  EXPECT_EQ(boss_->get("/v1/usage?from=2026-13").code(), "bad_month");
  EXPECT_EQ(boss_->get("/v1/usage?from=2020-01&to=2026-12").code(), "out_of_range");
  EXPECT_EQ(boss_->get("/v1/usage?from=2026-12&to=2026-11").code(), "bad_range");
  EXPECT_EQ(boss_->get("/v1/admin/usage").status, 403);
}

// -- notices (product.md §7, procedures guide §4.3) ---------------------------------------

/// Japan time `ms` as the API takes it: YYYY-MM-DDTHH:MM.
std::string jst_input(int64_t ms) {
  auto t = static_cast<time_t>(ms / 1000 + 9 * 3600);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M", &tm);
  return buf;
}

/// The mail a template gives for these values (LF line ends), as the guide's examples read.
std::string expected_mail(const std::string& name, const std::map<std::string, std::string>& v) {
  auto text = test::read_file(IVRCAST_SOURCE_DIR "/config/mail/" + name + ".txt");
  for (const auto& [k, val] : v)
    for (auto pos = text.find("{{" + k + "}}"); pos != std::string::npos;
         pos = text.find("{{" + k + "}}", pos + val.size()))
      text.replace(pos, k.size() + 4, val);
  return text.substr(text.find("\n\n") + 2);
}

std::string without_cr(std::string s) {
  std::erase(s, '\r');
  return s;
}

/// A header's value in a raw mail ("" if absent).
std::string header_of(const std::string& raw, const std::string& name) {
  auto pos = raw.find("\n" + name + ": ");
  if (pos == std::string::npos)
    return {};
  auto start = pos + name.size() + 3;
  return without_cr(raw.substr(start, raw.find('\n', start) - start));
}

/// The text of an RFC 2047 UTF-8 base64 encoded word (and anything after it).
std::string decoded_word(const std::string& v) {
  auto start = v.find("=?UTF-8?B?");
  auto end = v.find("?=", start + 10);
  if (start == std::string::npos || end == std::string::npos)
    return v;
  return test::base64_decode(v.substr(start + 10, end - start - 10)) + v.substr(end + 2);
}

TEST_F(ControlPlaneTest, NoticesMailEachContactOnceWithTheGuidesTextAndShowInThePortal) {
  bootstrap();
  // a3: contacts by purpose, one address also a1's contact (mailed once), one in capitals.
  auto a3 =
      op_->put("/v1/admin/accounts/a3",
               {{"enterprise_id", "e1"},
                {"name", "Third"},
                {"incoming_numbers", {"050-3333-0001"}},
                {"sender_ids", {"0312345670"}},
                {"contacts",
                 {{{"name", "障害 担当"}, {"email", "fault@example.jp"}, {"purpose", "fault"}},
                  {{"name", "保守"}, {"email", "maint@example.jp"}, {"purpose", "maintenance"}},
                  {{"name", "All"}, {"email", " ALL@example.jp"}, {"purpose", "all"}},
                  {{"name", "Ops"}, {"email", "ops@example.jp"}, {"purpose", "all"}}}}});
  ASSERT_EQ(a3.status, 201) << a3.raw;

  auto started = unix_now_ms() - 10 * 60 * 1000;
  const std::string impact = "ivrcastがご利用しづらい・または利用できない事象が発生しております。";
  auto fault =
      op_->post("/v1/admin/notices",
                {{"kind", "fault"}, {"impact", impact}, {"starts_at", jst_input(started)}});
  ASSERT_EQ(fault.status, 201) << fault.raw;
  EXPECT_EQ(fault.body["mails"], 3);  // ops (a1, a3), fault, all; not maint
  auto id = fault.body["notice_id"].get<std::string>();
  auto started_text = control::jst_long(sms::parse_jst(jst_input(started)).value());

  for (auto [address, name] :
       {std::pair{"fault@example.jp", "障害 担当"}, std::pair{"all@example.jp", "All"},
        std::pair{"ops@example.jp", "Ops"}}) {
    auto body = sink_.wait_for(address, 1);
    EXPECT_EQ(without_cr(body),
              expected_mail("notice_fault", {{"name", name},
                                             {"started", started_text},
                                             {"ended", "継続中"},
                                             {"impact", impact},
                                             {"support", "no-reply@ivrcast.invalid"}}))
        << address;
    auto raw = sink_.raw_mails_to(address).front();
    EXPECT_EQ(decoded_word(header_of(raw, "Subject")), "ivrcast サービス障害発生のお知らせ");
    EXPECT_FALSE(header_of(raw, "Date").empty()) << raw;
    EXPECT_EQ(header_of(raw, "Message-ID").substr(0, id.size() + 8), "<" + id + ".fault.") << raw;
  }
  auto to = header_of(sink_.raw_mails_to("fault@example.jp").front(), "To");
  EXPECT_EQ(decoded_word(to), "障害 担当 <fault@example.jp>") << to;
  EXPECT_TRUE(to.starts_with("=?UTF-8?B?")) << "a Japanese name is an encoded word: " << to;

  test::reply shown;
  shown = boss_->get("/v1/notices");
  ASSERT_EQ(shown.status, 200) << shown.raw;
  ASSERT_EQ(shown.body["current"].size(), 1u) << shown.raw;
  EXPECT_EQ(shown.body["current"][0]["kind"], "fault");
  EXPECT_EQ(shown.body["current"][0]["phase"], "ongoing");

  auto ended = unix_now_ms();
  auto rec = op_->post(
      "/v1/admin/notices/" + id + "/recover",
      {{"ended_at", jst_input(ended)},
       {"impact", "ivrcastがご利用しづらい・または利用できない事象が発生しておりました。"}});
  ASSERT_EQ(rec.status, 200) << rec.raw;
  EXPECT_EQ(rec.body["mails"], 3);
  auto recovered = sink_.wait_for("fault@example.jp", 2);
  EXPECT_EQ(
      without_cr(recovered),
      expected_mail(
          "notice_recovery",
          {{"name", "障害 担当"},
           {"started", started_text},
           {"ended", control::jst_long(sms::parse_jst(jst_input(ended)).value())},
           {"impact", "ivrcastがご利用しづらい・または利用できない事象が発生しておりました。"},
           {"support", "no-reply@ivrcast.invalid"}}));
  EXPECT_EQ(
      op_->post("/v1/admin/notices/" + id + "/recover", {{"ended_at", jst_input(ended)}}).status,
      409);
  shown = boss_->get("/v1/notices");
  EXPECT_TRUE(shown.body["current"].empty()) << shown.raw;
  ASSERT_EQ(shown.body["history"].size(), 1u);
  EXPECT_EQ(shown.body["history"][0]["phase"], "over");

  // Planned maintenance: 7 days' notice unless the operator says it is urgent.
  auto in3days = unix_now_ms() + 3 * day_ms;
  nlohmann::json m = {{"kind", "maintenance"},
                      {"impact", "ivrcastがご利用不可となります。"},
                      {"starts_at", jst_input(in3days)},
                      {"ends_at", jst_input(in3days + 3 * 3600 * 1000)},
                      {"account_ids", nlohmann::json::array({"a3"})}};
  auto refused = op_->post("/v1/admin/notices", m);
  EXPECT_EQ(refused.status, 400);
  EXPECT_EQ(refused.body["error"]["details"][0]["field"], "starts_at") << refused.raw;
  m["short_notice"] = true;
  auto planned = op_->post("/v1/admin/notices", m);
  ASSERT_EQ(planned.status, 201) << planned.raw;
  EXPECT_EQ(planned.body["mails"], 3);  // a3 only: maint, all, ops
  auto window = planned.body["window"].get<std::string>();
  auto maint = sink_.wait_for("maint@example.jp", 1);
  EXPECT_NE(maint.find("【停止予定日時】"), std::string::npos) << maint;
  EXPECT_EQ(decoded_word(header_of(sink_.raw_mails_to("maint@example.jp").front(), "Subject")),
            "ivrcast サービスメンテナンスのお知らせ [" + window + "]");
  // a1 is not affected: its banner stays empty; a3's contacts had it.
  EXPECT_TRUE(boss_->get("/v1/notices").body["current"].empty());
  EXPECT_TRUE(test::eventually([&] { return sink_.mails_to("ops@example.jp").size() == 3; }));
  EXPECT_EQ(sink_.mails_to("fault@example.jp").size(), 2u) << "no maintenance mail by purpose";
}

TEST_F(ControlPlaneTest, NoticeMailsGoOnAfterARestartMidSendAndNoContactGetsOneTwice) {
  // A slow SMTP server: one second per mail, so the node stops halfway.
  bootstrap();
  test::smtp_sink slow{1};
  restart_with_mail_at(slow);
  nlohmann::json contacts = nlohmann::json::array();
  for (int i = 0; i < 12; ++i)
    contacts.push_back({{"name", "c" + std::to_string(i)},
                        {"email", "c" + std::to_string(i) + "@example.jp"},
                        {"purpose", "fault"}});
  ASSERT_EQ(op_->put("/v1/admin/accounts/a4", {{"enterprise_id", "e1"},
                                               {"name", "Many"},
                                               {"incoming_numbers", {"050-4444-0001"}},
                                               {"sender_ids", {"0312345671"}},
                                               {"contacts", contacts}})
                .status,
            201);
  auto fault = op_->post("/v1/admin/notices", {{"kind", "fault"},
                                               {"impact", "SMS が届きにくくなっています。"},
                                               {"starts_at", jst_input(unix_now_ms())},
                                               {"account_ids", {"a4"}}});
  ASSERT_EQ(fault.status, 201) << fault.raw;
  auto id = fault.body["notice_id"].get<std::string>();
  auto received = [&] {
    size_t n = 0;
    for (int i = 0; i < 12; ++i)
      n += slow.mails_to("c" + std::to_string(i) + "@example.jp").size();
    return n;
  };
  ASSERT_TRUE(test::eventually([&] { return received() >= 3; }, std::chrono::seconds{30}));
  node_->stop();  // finishes the mail it is sending, leaves the rest
  node_.reset();
  auto before = received();
  EXPECT_LT(before, 12u) << "stopped halfway";

  // A claim the restarted node (node-3) made and never finished: in doubt, never sent again.
  wire::ControlRecord claim;
  auto& m = *claim.mutable_notice_mail();
  m.set_mail_id(id + "/fault/feedfacefeedface");
  m.set_notice_id(id);
  m.set_event("fault");
  m.set_account_id("a4");
  m.set_email("doubt@example.jp");
  m.set_state(wire::NoticeMail::SENDING);
  m.set_node("node-3");
  m.set_at_ms(unix_now_ms());
  auto p = kafka::producer::open(*bus_, "claim", [](uint64_t, bool) {});
  ASSERT_OK(p);
  ASSERT_TRUE((*p)->produce((*p)->topic(bus_->topic(topics::control_state)),
                            storage::control_state::key_of(claim), claim.SerializeAsString(), 0));
  ASSERT_OK((*p)->flush(test::scaled(std::chrono::seconds{10})));

  start();  // node-3, same disk
  ASSERT_TRUE(test::eventually([&] { return received() == 12; }, std::chrono::seconds{60}))
      << received();
  test::reply status;
  ASSERT_TRUE(test::eventually([&] {
    status = op_->get("/v1/admin/notices");
    return status.status == 200 &&
           status.body["notices"][0]["mail"]["counts"].value("fault.sent", 0) == 12;
  })) << status.raw;
  for (int i = 0; i < 12; ++i)
    EXPECT_EQ(slow.mails_to("c" + std::to_string(i) + "@example.jp").size(), 1u) << i;
  EXPECT_EQ(status.body["notices"][0]["mail"]["counts"].value("fault.in_doubt", 0), 1)
      << status.raw;
  EXPECT_EQ(status.body["notices"][0]["mail"]["attention"][0]["email"], "doubt@example.jp");
  EXPECT_TRUE(slow.mails_to("doubt@example.jp").empty());
}

TEST_F(ControlPlaneTest, TheAuditTrailShowsAnEnterpriseItsOwnEventsAndTheOperatorAll) {
  bootstrap();
  // Another enterprise's admin, and a wrong login for an address nobody has.
  ASSERT_EQ(op_->post("/v1/admin/enterprises", {{"enterprise_id", "e2"}, {"name", "Other"}}).status,
            201);
  auto other = other_admin("e2", "b1", "050-5555-0001", "0312345672");
  test::portal_client stranger{port_};
  EXPECT_EQ(stranger.login("nobody@example.jp", "Wrong-password-1").status, 401);
  EXPECT_EQ(boss_->get("/v1/delivery-log.csv?from=2026-12-01&to=2026-12-02").status, 200);
  test::portal_client again{port_};
  EXPECT_EQ(again.login("boss@example.jp", good_password).status, 200);

  test::reply mine;
  ASSERT_TRUE(test::eventually([&] {
    mine = boss_->get("/v1/audit");
    return mine.status == 200 && mine.raw.find("log_downloaded") != std::string::npos;
  })) << mine.raw;
  std::set<std::string> emails;
  for (const auto& r : mine.body["rows"])
    emails.insert(r["email"].get<std::string>());
  EXPECT_TRUE(emails.contains("boss@example.jp")) << mine.raw;
  EXPECT_FALSE(emails.contains("other@example.jp")) << "another enterprise's events";
  EXPECT_FALSE(emails.contains("nobody@example.jp")) << "an address of no enterprise";
  // Newest first.
  ASSERT_GE(mine.body["rows"].size(), 2u);
  EXPECT_GE(mine.body["rows"][0]["at"].get<std::string>(),
            mine.body["rows"][1]["at"].get<std::string>());

  // Boss logged in twice: one row at a time, and more to come (once the second is folded in).
  test::reply logins;
  EXPECT_TRUE(test::eventually([&] {
    logins = boss_->get("/v1/audit?event=login&email=BOSS@example.jp&limit=1");
    return logins.status == 200 && logins.body["more"] == true;
  })) << logins.raw;
  ASSERT_EQ(logins.body["rows"].size(), 1u);
  EXPECT_TRUE(logins.body["rows"][0]["event"].get<std::string>().starts_with("login"));
  EXPECT_EQ(boss_->get("/v1/audit?limit=0").code(), "bad_limit");
  EXPECT_EQ(boss_->get("/v1/audit?from=2026-12-05&to=2026-12-01").code(), "bad_range");

  test::reply all;
  ASSERT_TRUE(test::eventually([&] {
    all = op_->get("/v1/admin/audit?email=nobody@example.jp");
    return all.status == 200 && all.body["rows"].size() == 1;
  })) << all.raw;
  EXPECT_EQ(all.body["rows"][0]["event"], "login_failed");
  auto e2 = op_->get("/v1/admin/audit?enterprise_id=e2");
  ASSERT_EQ(e2.status, 200);
  for (const auto& r : e2.body["rows"])
    EXPECT_EQ(r["enterprise_id"], "e2") << e2.raw;
  EXPECT_FALSE(e2.body["rows"].empty());
  EXPECT_EQ(user_with("admin")->get("/v1/audit").status, 403);
  (void)other;
}

TEST_F(ControlPlaneTest, RoleGrantsAreTheApisToCheckNotOnlyThePortals) {
  bootstrap();
  // An enterprise admin of a1 only (through the boss, who is one on a1 and a2).
  auto r =
      boss_->post("/v1/users", {{"email", "half@example.jp"},
                                {"name", "Half"},
                                {"roles", {{{"account_id", "a1"}, {"role", "enterprise_admin"}}}}});
  ASSERT_EQ(r.status, 201) << r.raw;
  auto half = first_login("half@example.jp", 1);
  ASSERT_EQ(half->post("/v1/session/account", {{"account_id", "a1"}}).status, 200);
  auto member = half->post("/v1/users", {{"email", "m2@example.jp"},
                                         {"name", "M"},
                                         {"roles", {{{"account_id", "a2"}, {"role", "member"}}}}});
  EXPECT_EQ(member.status, 403) << member.raw;
  EXPECT_EQ(member.code(), "role_not_grantable");
  auto self = half->get("/v1/session").body["user"]["user_id"].get<std::string>();
  auto raise =
      half->put("/v1/users/" + self, {{"roles",
                                       {{{"account_id", "a1"}, {"role", "enterprise_admin"}},
                                        {{"account_id", "a2"}, {"role", "enterprise_admin"}}}}});
  EXPECT_EQ(raise.status, 403) << raise.raw;
  auto boss_id = boss_->get("/v1/session").body["user"]["user_id"].get<std::string>();
  auto strip =
      half->put("/v1/users/" + boss_id, {{"roles", {{{"account_id", "a1"}, {"role", "member"}}}}});
  EXPECT_EQ(strip.status, 403) << "the boss's a2 role is not half's to remove: " << strip.raw;
  EXPECT_EQ(half->post("/v1/users", {{"email", "m3@example.jp"},
                                     {"name", "M"},
                                     {"roles", {{{"account_id", "a1"}, {"role", "member"}}}}})
                .status,
            201);
}

}  // namespace
}  // namespace ivrcast
