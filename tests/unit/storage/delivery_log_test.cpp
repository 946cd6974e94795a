#include "storage/delivery_log.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <optional>

#include <rocksdb/db.h>

#include "storage/database.hpp"
#include "storage/keys.hpp"
#include "tests/support/test_support.hpp"

namespace ivrcast::storage {
namespace {

constexpr int64_t t0 = 1'795'359'600'000;
constexpr int32_t au = static_cast<int32_t>(sms::carrier::au) + 1;

class DeliveryLogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = database::open(dir_.path());
    ASSERT_OK(db);
    db_ = std::move(*db);
    log_ = std::make_unique<delivery_log>(db_, std::vector<std::string>{"006"});
  }

  /// Applies `ev` as the next record of partition 0.
  void apply(wire::StatusEvent ev) {
    std::vector<status_input> in{{next_offset_, std::move(ev)}};
    ASSERT_OK(log_->apply(0, next_offset_++, in));
  }

  static wire::StatusEvent submitted(std::vector<std::string> ids) {
    wire::StatusEvent ev;
    ev.set_kind(wire::StatusEvent::SUBMITTED);
    ev.set_message_id("m1");
    ev.set_at_ms(t0 + 10);
    auto* d = ev.mutable_detail();
    d->set_requested_at_ms(t0);
    d->set_destination("09012345678");
    d->set_carrier(au);
    d->set_parts(static_cast<int32_t>(ids.size()));
    for (auto& id : ids)
      ev.add_smsc_ids(id);
    return ev;
  }

  static wire::StatusEvent receipt(std::string id, sms::receipt_state st) {
    wire::StatusEvent ev;
    ev.set_kind(wire::StatusEvent::RECEIPT);
    ev.set_carrier(au);
    ev.set_smsc_id(std::move(id));
    ev.set_receipt_state(static_cast<int32_t>(st));
    ev.set_handset("09012345678");
    ev.set_at_ms(t0 + 20);
    return ev;
  }

  sms::delivery_status status() {
    auto row = log_->find("m1");
    EXPECT_TRUE(row && row->has_value());
    return row && row->has_value() ? (*row)->status : sms::delivery_status::preparing;
  }

  test::temp_dir dir_;
  std::shared_ptr<database> db_;
  std::unique_ptr<delivery_log> log_;
  int64_t next_offset_ = 0;
};

TEST_F(DeliveryLogTest, ReceiptsBeforeTheSubmitAreParkedAndApplied) {
  apply(receipt("a", sms::receipt_state::delivered));
  apply(receipt("b", sms::receipt_state::undeliverable));
  apply(submitted({"a", "b"}));
  EXPECT_EQ(status(), sms::delivery_status::partially_failed);
  auto left = log_->unmatched_receipt(sms::carrier::au, "09012345678", 0,
                                      [](const std::string&) { return false; });
  ASSERT_OK(left);
  EXPECT_FALSE(left->has_value()) << "matched receipts leave the parking";
  // Counted as folded once each (parked), then as put onto their row when the submit came.
  EXPECT_EQ(log_->receipts().parked.load(), 2u);
  EXPECT_EQ(log_->receipts().unparked.load(), 2u);
  EXPECT_EQ(log_->receipts().matched.load(), 0u);
  auto other = submitted({"c"});
  other.set_message_id("m2");
  apply(other);
  apply(receipt("c", sms::receipt_state::delivered));
  EXPECT_EQ(log_->receipts().matched.load(), 1u);
  EXPECT_EQ(log_->receipts().unparked.load(), 2u);
}

TEST_F(DeliveryLogTest, AReceiptReadWithItsSubmitFromAnotherPartitionIsNotParked) {
  // The receipt's partition comes first in the read, as a reader may hand it over.
  std::vector<status_input> receipts{{7, receipt("a", sms::receipt_state::delivered)}};
  std::vector<status_input> submits{{3, submitted({"a"})}};
  std::vector<status_batch> read{{1, 7, receipts}, {0, 3, submits}};
  ASSERT_OK(log_->apply(read));
  EXPECT_EQ(status(), sms::delivery_status::delivered);
  EXPECT_EQ(log_->receipts().matched.load(), 1u);
  EXPECT_EQ(log_->receipts().parked.load(), 0u);
  for (auto [partition, offset] : {std::pair{0, 3}, std::pair{1, 7}}) {
    auto cp = log_->checkpoint(partition);
    ASSERT_OK(cp);
    EXPECT_EQ(*cp, offset) << "partition " << partition;
  }
  // Read again (a replay), nothing changes: both partitions' checkpoints hold.
  ASSERT_OK(log_->apply(read));
  EXPECT_EQ(log_->receipts().matched.load(), 1u);
}

TEST_F(DeliveryLogTest, AParkedFinalReceiptIsNotReplacedByItsIntermediateOne) {
  // A resend after a reconnect can deliver DELIVRD before the ENROUTE that preceded it.
  apply(receipt("a", sms::receipt_state::delivered));
  apply(receipt("a", sms::receipt_state::enroute));
  apply(submitted({"a"}));
  EXPECT_EQ(status(), sms::delivery_status::delivered);
}

TEST_F(DeliveryLogTest, ReplayedRecordsChangeNothingAndStatusesOnlyMoveForward) {
  apply(submitted({"a"}));
  apply(receipt("a", sms::receipt_state::delivered));
  std::vector<status_input> replay{{0, submitted({"a"})},
                                   {1, receipt("a", sms::receipt_state::undeliverable)}};
  ASSERT_OK(log_->apply(0, 1, replay));
  apply(receipt("a", sms::receipt_state::enroute));
  EXPECT_EQ(status(), sms::delivery_status::delivered);
}

TEST_F(DeliveryLogTest, ShortLinksResolveToTheirMessageAndUrlUntilPurged) {
  auto ev = submitted({"a"});
  auto* link = ev.mutable_detail()->add_links();
  link->set_code("Ab3dEf9H");
  link->set_url("https://example.com/reserve?x=1");
  apply(ev);
  auto target = log_->short_link("Ab3dEf9H");
  ASSERT_OK(target);
  ASSERT_TRUE(target->has_value());
  EXPECT_EQ((*target)->message_id, "m1");
  EXPECT_EQ((*target)->url, "https://example.com/reserve?x=1");
  EXPECT_FALSE(log_->short_link("nosuchco").value().has_value());
  ASSERT_OK(log_->purge(t0 + 1));
  EXPECT_FALSE(log_->short_link("Ab3dEf9H").value().has_value());
  EXPECT_FALSE(log_->find("m1").value().has_value());
}

/// A message of `account` to `destination`, scheduled at `at_ms`.
wire::StatusEvent accepted(const std::string& id, const std::string& account,
                           const std::string& destination, int64_t at_ms,
                           const std::string& incoming = "0501234567") {
  wire::StatusEvent ev;
  ev.set_kind(wire::StatusEvent::ACCEPTED);
  ev.set_message_id(id);
  ev.set_at_ms(at_ms);
  auto* d = ev.mutable_detail();
  d->set_account_id(account);
  d->set_requested_at_ms(at_ms);
  d->set_destination(destination);
  d->set_incoming_number(incoming);
  return ev;
}

delivery_log::account_scan range(std::string_view account, int64_t from_ms, int64_t to_ms) {
  delivery_log::account_scan q;
  q.account = account;
  q.from_ms = from_ms;
  q.to_ms = to_ms;
  return q;
}

std::vector<std::string> ids_of(const delivery_log& log, delivery_log::account_scan q,
                                size_t limit = 100000) {
  std::vector<std::string> out;
  auto n = log.scan_account(q, [&](const sms::log_row& r) {
    out.push_back(r.message_id);
    return out.size() < limit;
  });
  EXPECT_TRUE(n);
  return out;
}

std::vector<std::string> ids_of(const delivery_log& log, const std::string& account,
                                const std::string& destination = "") {
  auto q = range(account, t0, t0 + 1000);
  q.destination = destination;
  return ids_of(log, q);
}

TEST_F(DeliveryLogTest, AnAccountsScanReadsItsOwnRowsOnly) {
  apply(accepted("a-1", "a", "09011110000", t0 + 1));
  apply(accepted("b-1", "b", "09011110000", t0 + 2));
  apply(accepted("a-2", "a", "08022220000", t0 + 3));
  apply(accepted("ab-1", "ab", "09011110000", t0 + 4));  // a prefix of no other account
  EXPECT_EQ(ids_of(*log_, "a"), (std::vector<std::string>{"a-1", "a-2"}));
  EXPECT_EQ(ids_of(*log_, "b"), std::vector<std::string>{"b-1"});
  EXPECT_EQ(ids_of(*log_, "a", "09011110000"), std::vector<std::string>{"a-1"});
  EXPECT_TRUE(ids_of(*log_, "c").empty());
  ASSERT_OK(log_->purge(t0 + 2));
  EXPECT_EQ(ids_of(*log_, "a"), std::vector<std::string>{"a-2"}) << "purged with its row";
}

TEST_F(DeliveryLogTest, RowsFoldedBeforeTheAccountIndexAreIndexedOnStart) {
  apply(accepted("a-1", "a", "09011110000", t0 + 1));
  apply(accepted("b-1", "b", "09011110000", t0 + 2));
  // As a database of the version before the index: no account entries, no marker.
  auto& db = db_->db();
  for (auto key : {keys::log_by_account("a", t0 + 1, "a-1"),
                   keys::log_by_account_destination("a", "09011110000", t0 + 1, "a-1"),
                   keys::log_by_account_incoming("a", "0501234567", t0 + 1, "a-1"),
                   keys::log_by_account("b", t0 + 2, "b-1"),
                   keys::log_by_account_destination("b", "09011110000", t0 + 2, "b-1"),
                   keys::log_by_account_incoming("b", "0501234567", t0 + 2, "b-1")})
    ASSERT_TRUE(db.Delete(rocksdb::WriteOptions{}, db_->delivery_log(), key).ok());
  EXPECT_TRUE(ids_of(*log_, "a").empty());
  auto indexed = log_->index_accounts();
  ASSERT_OK(indexed);
  EXPECT_EQ(*indexed, 2u);
  EXPECT_EQ(ids_of(*log_, "a"), std::vector<std::string>{"a-1"});
  EXPECT_EQ(ids_of(*log_, "b", "09011110000"), std::vector<std::string>{"b-1"});
  auto by_incoming = range("b", t0, t0 + 1000);
  by_incoming.incoming_number = "0501234567";
  EXPECT_EQ(ids_of(*log_, by_incoming), std::vector<std::string>{"b-1"});
  EXPECT_EQ(*log_->index_accounts(), 0u) << "once";
}

TEST_F(DeliveryLogTest, TheAccountIndexOfTheLayoutBeforeCopiesGetsTheRows) {
  apply(accepted("a-1", "a", "09011110000", t0 + 1));
  apply(accepted("b-1", "b", "09011110000", t0 + 2));
  // As a database of the version whose 'a' entries were empty, marked as indexed.
  auto& db = db_->db();
  for (auto key :
       {keys::log_by_account("a", t0 + 1, "a-1"), keys::log_by_account("b", t0 + 2, "b-1")})
    ASSERT_TRUE(db.Put(rocksdb::WriteOptions{}, db_->delivery_log(), key, "").ok());
  ASSERT_TRUE(db.Put(rocksdb::WriteOptions{}, db_->delivery_log(), "v-account-index-2", "1").ok());
  auto copied = log_->index_accounts();
  ASSERT_OK(copied);
  EXPECT_EQ(*copied, 2u);
  EXPECT_EQ(ids_of(*log_, "a"), std::vector<std::string>{"a-1"});
  EXPECT_EQ(ids_of(*log_, "b", "09011110000"), std::vector<std::string>{"b-1"});
}

TEST_F(DeliveryLogTest, AnAccountsCopyOfARowFollowsEveryWriteOfIt) {
  // Every way a row changes: created, submitted, receipts (one parked first), 不定 by the sweep.
  apply(receipt("x", sms::receipt_state::delivered));
  auto au_submit = submitted({"x", "y"});
  au_submit.mutable_detail()->set_account_id("a");
  apply(au_submit);
  auto docomo = submitted({"z"});
  docomo.set_message_id("m2");
  docomo.mutable_detail()->set_account_id("a");
  docomo.mutable_detail()->set_carrier(static_cast<int32_t>(sms::carrier::docomo) + 1);
  docomo.mutable_detail()->set_requested_at_ms(t0 + 1);
  apply(docomo);
  auto same_as_row = [&](const char* when) {
    for (auto q : {range("a", t0, t0 + 1000), [] {
                     auto by_destination = range("a", t0, t0 + 1000);
                     by_destination.destination = "09012345678";
                     return by_destination;
                   }()}) {
      size_t seen = 0;
      ASSERT_OK(log_->scan_account(q, [&](const sms::log_row& r) {
        auto row = log_->find(r.message_id);
        EXPECT_TRUE(row && row->has_value());
        if (row && row->has_value()) {
          EXPECT_EQ(r.status, (*row)->status) << when << " " << r.message_id;
          EXPECT_EQ(r.sent_at_ms, (*row)->sent_at_ms) << when << " " << r.message_id;
          EXPECT_EQ(r.arrived_at_ms, (*row)->arrived_at_ms) << when << " " << r.message_id;
        }
        ++seen;
        return true;
      }));
      EXPECT_EQ(seen, 2u) << when;
    }
  };
  same_as_row("submitted, one receipt parked before");
  EXPECT_EQ(status(), sms::delivery_status::sent);
  apply(receipt("y", sms::receipt_state::delivered));
  EXPECT_EQ(status(), sms::delivery_status::delivered);
  same_as_row("delivered");
  auto closed = log_->close_undetermined(t0 + 100'000'000, 1000);
  ASSERT_OK(closed);
  EXPECT_EQ(*closed, 1u);
  same_as_row("closed as undetermined");
}

TEST_F(DeliveryLogTest, AScanShowsEachRowsOwnFieldsNotThoseOfTheRowBeforeIt) {
  // A scan parses every row into one reused message: nothing of a full row may stay behind
  // in a bare one read after it, in either order.
  auto full = accepted("a-1", "a", "09011110000", t0 + 1, "0501111111");
  auto* d = full.mutable_detail();
  d->set_job_id("j-1");
  d->set_flow_name("来店予約");
  d->set_body("ご予約を承りました");
  d->set_sender_id("IVRCAST");
  d->set_sent_length(9);
  d->add_links()->set_code("Ab3dEf9H");
  apply(full);
  auto bare = accepted("a-2", "a", "08022220000", t0 + 2, "");
  apply(bare);
  for (bool newest_first : {false, true}) {
    auto q = range("a", t0, t0 + 1000);
    q.newest_first = newest_first;
    std::map<std::string, sms::log_row> rows;
    ASSERT_OK(log_->scan_account(q, [&](const sms::log_row& r) {
      rows[r.message_id] = r;
      return true;
    }));
    ASSERT_EQ(rows.size(), 2u);
    const auto& a1 = rows["a-1"];
    EXPECT_EQ(a1.job_id, "j-1");
    EXPECT_EQ(a1.body, "ご予約を承りました");
    EXPECT_EQ(a1.flow_name, "来店予約");
    EXPECT_EQ(a1.sender_id, "IVRCAST");
    EXPECT_EQ(a1.incoming_number, "0501111111");
    EXPECT_EQ(a1.sent_length, 9);
    const auto& a2 = rows["a-2"];
    EXPECT_EQ(a2.destination, "08022220000");
    EXPECT_EQ(a2.job_id, "") << "newest first: " << newest_first;
    EXPECT_EQ(a2.body, "");
    EXPECT_EQ(a2.flow_name, "");
    EXPECT_EQ(a2.sender_id, "");
    EXPECT_EQ(a2.incoming_number, "");
    EXPECT_EQ(a2.sent_length, 0);
  }
}

TEST_F(DeliveryLogTest, AnAccountsScanByIncomingNumberReadsThatNumbersRowsOnly) {
  apply(accepted("a-1", "a", "09011110000", t0 + 1, "0501111111"));
  apply(accepted("a-2", "a", "09011110000", t0 + 2, "0502222222"));
  apply(accepted("b-1", "b", "09011110000", t0 + 3, "0501111111"));
  auto q = range("a", t0, t0 + 1000);
  q.incoming_number = "0501111111";
  EXPECT_EQ(ids_of(*log_, q), std::vector<std::string>{"a-1"});
  q.incoming_number = "0502222222";
  EXPECT_EQ(ids_of(*log_, q), std::vector<std::string>{"a-2"});
}

TEST_F(DeliveryLogTest, NewestFirstAndAfterAPositionInBothDirections) {
  // Two rows share a millisecond: the message id orders them.
  for (auto [id, at] : {std::pair{"m1", 1}, {"m2", 2}, {"m3", 2}, {"m4", 3}, {"m5", 4}})
    apply(accepted(id, "a", "09011110000", t0 + at));
  auto q = range("a", t0 + 2, t0 + 4);
  EXPECT_EQ(ids_of(*log_, q), (std::vector<std::string>{"m2", "m3", "m4"}));
  q.newest_first = true;
  EXPECT_EQ(ids_of(*log_, q), (std::vector<std::string>{"m4", "m3", "m2"}));
  delivery_log::position at{t0 + 2, "m3"};
  q.after = &at;
  EXPECT_EQ(ids_of(*log_, q), std::vector<std::string>{"m2"});
  q.newest_first = false;
  EXPECT_EQ(ids_of(*log_, q), std::vector<std::string>{"m4"});
  q.destination = "09011110000";
  EXPECT_EQ(ids_of(*log_, q), std::vector<std::string>{"m4"});
}

TEST_F(DeliveryLogTest, PagingByPositionReturnsEveryRowOnceWhileRowsArrive) {
  // 5,000 rows over the range; each page of 97 continues after the last row of the one
  // before, while 50 new rows land in the range between pages. Every row, old or new, comes
  // at most once, and every row there at the start exactly once, in either order.
  constexpr int rows = 5000;
  for (int i = 0; i < rows; ++i)
    apply(accepted("m" + std::to_string(i), "a", "09011110000", t0 + 1 + i % 700));
  for (bool newest : {true, false}) {
    std::map<std::string, int> seen;
    auto q = range("a", t0, t0 + 1000);
    q.newest_first = newest;
    std::optional<delivery_log::position> at;
    int page = 0;
    for (;; ++page) {
      q.after = at ? &*at : nullptr;
      std::vector<std::string> ids;
      delivery_log::position last;
      auto n = log_->scan_account(q, [&](const sms::log_row& r) {
        ids.push_back(r.message_id);
        last = {r.requested_at_ms, r.message_id};
        return ids.size() < 97;
      });
      ASSERT_OK(n);
      if (ids.empty())
        break;
      for (const auto& id : ids)
        ++seen[id];
      at = last;
      if (page < 50)  // a new row arrives between pages, behind or ahead of the position
        apply(accepted((newest ? "n" : "o") + std::to_string(page), "a", "09011110000",
                       t0 + 1 + (page * 37) % 700));
    }
    for (int i = 0; i < rows; ++i)
      EXPECT_EQ(seen["m" + std::to_string(i)], 1) << "m" << i << (newest ? " newest" : " oldest");
    for (const auto& [id, count] : seen)
      EXPECT_EQ(count, 1) << id;
    EXPECT_GE(page, rows / 97);
  }
}

TEST_F(DeliveryLogTest, ABatchOfWholeLivesEndsAsOneEventABatchDoes) {
  // apply reads and writes each row once per batch: a batch holding every event of several
  // messages (receipts before and after their submit, opens, a final status, a replay) must
  // leave the same rows and account copies as the same events one batch each.
  auto with = [](wire::StatusEvent ev, const char* id, const char* account) {
    ev.set_message_id(id);
    if (ev.has_detail())
      ev.mutable_detail()->set_account_id(account);
    return ev;
  };
  auto opened = [](const char* id, int64_t at) {
    wire::StatusEvent ev;
    ev.set_kind(wire::StatusEvent::OPENED);
    ev.set_message_id(id);
    ev.set_at_ms(at);
    return ev;
  };
  auto final_status = [](const char* id, sms::delivery_status st) {
    wire::StatusEvent ev;
    ev.set_kind(wire::StatusEvent::FINAL);
    ev.set_message_id(id);
    ev.set_status(static_cast<int32_t>(st));
    return ev;
  };
  auto m1 = accepted("m1", "a", "09012345678", t0);
  m1.mutable_detail()->set_carrier(au);
  std::vector<wire::StatusEvent> events{
      m1,
      receipt("p", sms::receipt_state::delivered),  // m1's second part, before its submit
      with(submitted({"o", "p"}), "m1", "a"),
      receipt("o", sms::receipt_state::enroute),
      opened("m1", t0 + 40),
      receipt("o", sms::receipt_state::delivered),
      opened("m1", t0 + 50),  // only the first open counts
      with(submitted({"q"}), "m2", "a"),
      receipt("q", sms::receipt_state::undeliverable),
      with(submitted({"q"}), "m2", "a"),  // a re-sent submit record
      accepted("m3", "b", "09012345678", t0 + 3),
      final_status("m3", sms::delivery_status::failed),
      receipt("r", sms::receipt_state::delivered),  // of no known submit: stays parked
  };
  test::temp_dir other_dir;
  auto other_db = database::open(other_dir.path());
  ASSERT_OK(other_db);
  delivery_log one_by_one{*other_db, std::vector<std::string>{"006"}};
  std::vector<status_input> batch;
  for (size_t i = 0; i < events.size(); ++i) {
    auto offset = static_cast<int64_t>(i);
    batch.push_back({offset, events[i]});
    std::vector<status_input> single{{offset, events[i]}};
    ASSERT_OK(one_by_one.apply(0, offset, single));
  }
  ASSERT_OK(log_->apply(0, static_cast<int64_t>(events.size()) - 1, batch));

  for (const char* id : {"m1", "m2", "m3"}) {
    auto a = log_->find(id), b = one_by_one.find(id);
    ASSERT_OK(a);
    ASSERT_OK(b);
    ASSERT_TRUE(a->has_value() && b->has_value()) << id;
    const auto &x = **a, &y = **b;
    EXPECT_EQ(x.status, y.status) << id;
    EXPECT_EQ(x.sent_at_ms, y.sent_at_ms) << id;
    EXPECT_EQ(x.arrived_at_ms, y.arrived_at_ms) << id;
    EXPECT_EQ(x.opened_at_ms, y.opened_at_ms) << id;
  }
  EXPECT_EQ((*log_->find("m1"))->status, sms::delivery_status::delivered);
  EXPECT_EQ((*log_->find("m1"))->opened_at_ms, t0 + 40);
  EXPECT_EQ((*log_->find("m3"))->status, sms::delivery_status::failed);
  for (const char* account : {"a", "b"}) {
    std::vector<std::pair<std::string, sms::delivery_status>> in_batch, single;
    auto q = range(account, t0, t0 + 1000);
    ASSERT_OK(log_->scan_account(q, [&](const sms::log_row& r) {
      in_batch.emplace_back(r.message_id, r.status);
      return true;
    }));
    ASSERT_OK(one_by_one.scan_account(q, [&](const sms::log_row& r) {
      single.emplace_back(r.message_id, r.status);
      return true;
    }));
    EXPECT_EQ(in_batch, single) << account;
    EXPECT_FALSE(in_batch.empty()) << account;
  }
  auto parked = log_->unmatched_receipt(sms::carrier::au, "09012345678", 0,
                                        [](const std::string&) { return false; });
  ASSERT_OK(parked);
  EXPECT_TRUE(parked->has_value()) << "the receipt of no submit is still parked";
}

TEST(LogTenantPrefixTest, EndsAfterTheAccountOrTheNumberAndOnlyForTenantKeys) {
  struct row {
    std::string key;
    std::optional<size_t> prefix;
  };
  const std::vector<row> rows{
      {keys::log_by_account("acc", t0, "m1"), 5},                     // 'a' acc \0
      {keys::log_by_account_destination("acc", "090", t0, "m1"), 9},  // 'b' acc \0 090 \0
      {keys::log_by_account_incoming("acc", "0501", t0, "m1"), 10},   // 'c' acc \0 0501 \0
      {keys::log_by_account("", t0, "m1"), 2},                        // no account
      {std::string{"bacc"} + '\0' + "090", std::nullopt},             // cut short
      {std::string{"aacc"}, std::nullopt},                            // cut short
      {keys::log_row(t0, "m1"), std::nullopt},                        // other kinds
      {keys::log_by_destination("090", t0, "m1"), std::nullopt},
      {keys::log_id("m1"), std::nullopt},
      {keys::log_undetermined(t0, "m1"), std::nullopt},
      {keys::log_account_indexed(), std::nullopt},
      {"", std::nullopt},
  };
  for (const auto& r : rows)
    EXPECT_EQ(keys::log_tenant_prefix(r.key), r.prefix) << testing::PrintToString(r.key);
}

TEST_F(DeliveryLogTest, SearchesFindEveryRowOfTheirTenantAcrossTableFiles) {
  // Rows of three tenants in many table files: each flush leaves one file, the later ones
  // without some tenants' rows or numbers, so the prefix filters must skip those and keep the
  // rest. Every search, either way round, gets exactly its rows.
  std::map<std::string, std::vector<std::string>> by_account;
  std::map<std::pair<std::string, std::string>, std::vector<std::string>> by_destination,
      by_incoming;  // (account, number)
  const std::vector<std::string> accounts{"a", "ab", "b"};
  int n = 0;
  for (int file = 0; file < 8; ++file) {
    for (int i = 0; i < 30; ++i, ++n) {
      const auto& account = accounts[static_cast<size_t>((file < 4 ? i : file) % 3)];
      auto dest = "0901111000" + std::to_string((i + file) % 3);
      auto incoming = "050111100" + std::to_string(i % 2);
      auto id = "m" + std::to_string(1000 + n);
      apply(accepted(id, account, dest, t0 + n, incoming));
      by_account[account].push_back(id);
      by_destination[{account, dest}].push_back(id);
      by_incoming[{account, incoming}].push_back(id);
    }
    ASSERT_TRUE(db_->db().Flush(rocksdb::FlushOptions{}, db_->delivery_log()).ok());
  }
  auto check = [&](delivery_log::account_scan q, std::vector<std::string> want) {
    EXPECT_EQ(ids_of(*log_, q), want) << q.account << " " << q.destination << q.incoming_number;
    q.newest_first = true;
    std::reverse(want.begin(), want.end());
    EXPECT_EQ(ids_of(*log_, q), want) << q.account << " newest first";
  };
  for (const auto& [account, ids] : by_account)
    check(range(account, t0, t0 + 1000), ids);
  for (const auto& [key, ids] : by_destination) {
    auto q = range(key.first, t0, t0 + 1000);
    q.destination = key.second;
    check(q, ids);
  }
  for (const auto& [key, ids] : by_incoming) {
    auto q = range(key.first, t0, t0 + 1000);
    q.incoming_number = key.second;
    check(q, ids);
  }
  EXPECT_TRUE(ids_of(*log_, "c").empty());
  EXPECT_TRUE(ids_of(*log_, "a", "09011119999").empty());
}

}  // namespace
}  // namespace ivrcast::storage
