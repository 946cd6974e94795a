// The audit trail's projection: an address's events read from its own index, and the events
// folded before that index existed indexed on the first start.

#include <gtest/gtest.h>

#include <initializer_list>

#include <rocksdb/db.h>

#include "storage/audit_log.hpp"
#include "storage/database.hpp"
#include "storage/keys.hpp"
#include "tests/support/test_support.hpp"

namespace ivrcast {
namespace {

class AuditLogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = storage::database::open(dir_.path());
    ASSERT_OK(db);
    db_ = std::move(*db);
    auto log = storage::audit_log::open(db_);
    ASSERT_OK(log);
    log_ = std::move(*log);
  }

  void apply(int64_t offset, const char* event, const char* email, int64_t at_ms) {
    wire::AuditEvent ev;
    ev.set_event(event);
    ev.set_email(email);
    ev.set_at_ms(at_ms);
    ev.set_enterprise_id("ent-1");
    auto bytes = ev.SerializeAsString();
    storage::topic_record r{offset, email, bytes};
    ASSERT_OK(log_->apply(0, {&r, 1}));
  }

  std::vector<std::string> events_of(const char* email) {
    storage::audit_query q;
    q.email = email;
    bool more = false;
    auto found = log_->find(q, more);
    EXPECT_TRUE(found);
    std::vector<std::string> out;
    for (const auto& ev : *found)
      out.push_back(ev.event() + "@" + std::to_string(ev.at_ms()));
    return out;
  }

  test::temp_dir dir_;
  std::shared_ptr<storage::database> db_;
  std::unique_ptr<storage::audit_log> log_;
};

TEST_F(AuditLogTest, AnAddressesEventsComeNewestFirstAndOnlyItsOwn) {
  apply(0, "login_failed", "a@example.jp", 100);
  apply(1, "login_failed", "b@example.jp", 150);
  apply(2, "locked", "a@example.jp", 200);
  apply(3, "login_ok", "ab@example.jp", 250);
  EXPECT_EQ(events_of("a@example.jp"),
            (std::vector<std::string>{"locked@200", "login_failed@100"}));
  EXPECT_EQ(events_of("b@example.jp"), std::vector<std::string>{"login_failed@150"});
  EXPECT_TRUE(events_of("c@example.jp").empty());
}

TEST_F(AuditLogTest, AClientAddressesAttemptsAreCountedByTheNodesThatDidNotCountThem) {
  int64_t offset = 10;
  auto attempt = [&](const char* ip, const char* node, int64_t at_ms, const char* event) {
    wire::AuditEvent ev;
    ev.set_event(event);
    ev.set_ip(ip);
    ev.set_node(node);
    ev.set_at_ms(at_ms);
    auto bytes = ev.SerializeAsString();
    storage::topic_record r{offset++, "", bytes};
    ASSERT_OK(log_->apply(0, {&r, 1}));
  };
  const char* counted = storage::address_attempt_event.data();
  attempt("10.0.0.1", "node-a", 1000, counted);
  attempt("10.0.0.1", "node-b", 2000, counted);
  attempt("10.0.0.1", "node-b", 3000, counted);
  attempt("10.0.0.1", "node-c", 3000, "login_failed");  // not an attempt the limit counts
  attempt("10.0.0.10", "node-c", 3000, counted);        // an address it is a prefix of
  attempt("10.0.0.2", "node-c", 3000, counted);
  struct row {
    const char* ip;
    int64_t since;
    const char* node;
    int cap;
    int expected;
  };
  for (auto [ip, since, node, cap, expected] : std::initializer_list<row>{
           {"10.0.0.1", 0, "node-x", 10, 3},
           {"10.0.0.1", 0, "node-b", 10, 1},     // node b's own are its to count
           {"10.0.0.1", 2000, "node-x", 10, 2},  // from its time on
           {"10.0.0.1", 3001, "node-x", 10, 0},
           {"10.0.0.1", 0, "node-x", 2, 2},  // enough to refuse: no need to read on
           {"10.0.0.10", 0, "node-x", 10, 1},
           {"10.0.0.3", 0, "node-x", 10, 0},
       }) {
    auto n = log_->attempts_since(ip, since, node, cap);
    ASSERT_OK(n);
    EXPECT_EQ(*n, expected) << ip << " since " << since << " not " << node;
  }
}

TEST_F(AuditLogTest, EventsFoldedBeforeTheAddressIndexAreIndexedOnStart) {
  apply(0, "login_failed", "a@example.jp", 100);
  apply(1, "locked", "a@example.jp", 200);
  // As a database of the version before the index: no address keys, no marker.
  auto& db = db_->db();
  for (auto key :
       {storage::keys::audit_email("a@example.jp", 100, 0),
        storage::keys::audit_email("a@example.jp", 200, 1), storage::keys::audit_email_indexed()})
    ASSERT_TRUE(db.Delete(rocksdb::WriteOptions{}, db_->audit(), key).ok());
  EXPECT_TRUE(events_of("a@example.jp").empty());

  auto reopened = storage::audit_log::open(db_);
  ASSERT_OK(reopened);
  log_ = std::move(*reopened);
  EXPECT_EQ(events_of("a@example.jp"),
            (std::vector<std::string>{"locked@200", "login_failed@100"}));
  apply(2, "login_failed", "a@example.jp", 300);
  auto again = storage::audit_log::open(db_);
  ASSERT_OK(again);
  log_ = std::move(*again);
  EXPECT_EQ(events_of("a@example.jp").size(), 3u) << "indexed once, never twice";
}

}  // namespace
}  // namespace ivrcast
