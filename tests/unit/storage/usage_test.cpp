// Monthly usage: the billing rule (sms::billable) by table, and its projection (a mark per
// billed message) folding each message once.

#include <gtest/gtest.h>

#include "messages/clock.hpp"
#include "sms/usage.hpp"
#include "storage/database.hpp"
#include "storage/usage.hpp"
#include "tests/support/test_support.hpp"

namespace ivrcast {
namespace {

using State = wire::SendRecord::State;  // values as wire::SendRecord::SUBMITTED ...

wire::SendRecord record(State st, int ids, int segments = 0, int carrier = 1,
                        int64_t at_ms = jst_to_unix_ms(2026, 12, 5, 12, 0, 0)) {
  wire::SendRecord r;
  r.set_message_id("m1");
  r.set_state(st);
  r.set_carrier(carrier);
  for (int i = 0; i < ids; ++i)
    r.add_smsc_ids("id" + std::to_string(i));
  r.set_next_part(ids);
  r.set_account_id("acc-1");
  r.set_segments(segments);
  r.set_at_ms(at_ms);
  return r;
}

TEST(UsageTest, BillingRuleByTable) {
  struct row {
    const char* name;
    wire::SendRecord now;
    bool bills;
    uint64_t segments = 0;
    uint64_t parts = 0;
    uint32_t month = 202612;
  };
  std::vector<row> rows{
      {"every part accepted", record(wire::SendRecord::SUBMITTED, 3, 3), true, 3, 3},
      {"SoftBank: one part, one segment, however long",
       record(wire::SendRecord::SUBMITTED, 1, 1, 3), true, 1, 1},
      {"一部失敗: the accepted parts bill", record(wire::SendRecord::CLOSED, 2, 3), true, 2, 2},
      {"closed before any part was accepted", record(wire::SendRecord::CLOSED, 0, 3), false},
      {"in flight bills nothing yet", record(wire::SendRecord::IN_FLIGHT, 1, 3), false},
      {"released bills nothing", record(wire::SendRecord::RELEASED, 0, 3), false},
      {"an older node's record without segments", record(wire::SendRecord::SUBMITTED, 2, 0), true,
       2, 2},
      {"a carrier we do not know", record(wire::SendRecord::SUBMITTED, 1, 1, 9), false},
      {"month by Japan time: 00:00 JST on 1 December",
       record(wire::SendRecord::SUBMITTED, 1, 1, 1, jst_to_unix_ms(2026, 12, 1, 0, 0, 0)), true, 1,
       1, 202612},
      {"month by Japan time: 23:59 JST on 30 November",
       record(wire::SendRecord::SUBMITTED, 1, 1, 1, jst_to_unix_ms(2026, 11, 30, 23, 59, 59)), true,
       1, 1, 202611},
  };
  for (const auto& r : rows) {
    auto got = sms::billable(r.now);
    ASSERT_EQ(got.has_value(), r.bills) << r.name;
    if (!got)
      continue;
    EXPECT_EQ(got->account, "acc-1") << r.name;
    EXPECT_EQ(got->segments, r.segments) << r.name;
    EXPECT_EQ(got->parts, r.parts) << r.name;
    EXPECT_EQ(got->month, r.month) << r.name;
    EXPECT_EQ(got->via, static_cast<sms::carrier>(r.now.carrier() - 1)) << r.name;
  }
}

class UsageStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = storage::database::open(dir_.path());
    ASSERT_OK(db);
    db_ = std::move(*db);
    view_ = std::make_unique<storage::usage>(db_);
  }

  /// Applies records of partition 0 at `offsets` as one batch.
  void apply(const std::vector<std::pair<int64_t, wire::SendRecord>>& recs) {
    std::vector<std::string> bytes;
    for (const auto& [o, r] : recs)
      bytes.push_back(r.SerializeAsString());
    std::vector<storage::topic_record> in;
    for (size_t i = 0; i < recs.size(); ++i)
      in.push_back({recs[i].first, recs[i].second.message_id(), bytes[i]});
    ASSERT_OK(view_->apply(0, in));
  }

  test::temp_dir dir_;
  std::shared_ptr<storage::database> db_;
  std::unique_ptr<storage::usage> view_;
};

TEST_F(UsageStoreTest, EachMessageBillsOnceWhateverIsReadAgain) {
  auto a = record(wire::SendRecord::SUBMITTED, 2, 2);  // au, two parts
  auto b = record(wire::SendRecord::SUBMITTED, 1, 1, 2);
  b.set_message_id("m2");  // docomo
  auto c = record(wire::SendRecord::CLOSED, 1, 3, 2);
  c.set_message_id("m3");  // docomo, one of three parts accepted
  auto d = record(wire::SendRecord::SUBMITTED, 1, 1);
  d.set_message_id("m4");
  d.set_account_id("acc-2");
  // In one batch: m1's in-flight then final record, and m1's final record a second time (a
  // sender that took over wrote it again).
  apply({{0, record(wire::SendRecord::IN_FLIGHT, 1)}, {1, a}, {2, b}, {3, a}});
  apply({{1, a}, {2, b}});  // replayed: at or below the checkpoint
  apply({{4, c}, {5, a}, {6, d}});
  auto rows = view_->of_account("acc-1", 202612, 202612);
  ASSERT_OK(rows);
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_EQ((*rows)[0].via, sms::carrier::au);
  EXPECT_EQ((*rows)[0].messages, 1u);
  EXPECT_EQ((*rows)[0].segments, 2u);
  EXPECT_EQ((*rows)[0].parts, 2u);
  EXPECT_EQ((*rows)[1].via, sms::carrier::docomo);
  EXPECT_EQ((*rows)[1].messages, 2u);
  EXPECT_EQ((*rows)[1].segments, 2u);  // 1 + one accepted part of three
  EXPECT_EQ((*rows)[1].parts, 2u);
  auto all = view_->all(202601, 202612);
  ASSERT_OK(all);
  ASSERT_EQ(all->size(), 3u);
  EXPECT_EQ((*all)[2].account, "acc-2");
  auto none = view_->of_account("acc-1", 202611, 202611);
  ASSERT_OK(none);
  EXPECT_TRUE(none->empty());
  // An account whose id is another's prefix sees only its own rows.
  auto prefix = view_->of_account("acc-", 202601, 202612);
  ASSERT_OK(prefix);
  EXPECT_TRUE(prefix->empty());
}

TEST_F(UsageStoreTest, ABatchBillsTheSumOfItsMessagesPerAccountMonthAndCarrier) {
  // One batch: five docomo messages of acc-1 in December (1-5 segments), two in November, one
  // of acc-2; then the next batch adds to the same counters.
  std::vector<std::pair<int64_t, wire::SendRecord>> batch;
  auto add = [&](const std::string& id, const std::string& account, int segments, int64_t at) {
    auto r = record(wire::SendRecord::SUBMITTED, segments, segments, 2, at);
    r.set_message_id(id);
    r.set_account_id(account);
    batch.push_back({static_cast<int64_t>(batch.size()), r});
  };
  const auto december = jst_to_unix_ms(2026, 12, 5, 12, 0, 0);
  const auto november = jst_to_unix_ms(2026, 11, 30, 23, 0, 0);
  for (int i = 1; i <= 5; ++i)
    add("d" + std::to_string(i), "acc-1", i, december);
  add("n1", "acc-1", 1, november);
  add("n2", "acc-1", 2, november);
  add("x1", "acc-2", 4, december);
  apply(batch);
  auto rows = view_->of_account("acc-1", 202611, 202612);
  ASSERT_OK(rows);
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_EQ((*rows)[0].month, 202611u);
  EXPECT_EQ((*rows)[0].messages, 2u);
  EXPECT_EQ((*rows)[0].segments, 3u);
  EXPECT_EQ((*rows)[1].month, 202612u);
  EXPECT_EQ((*rows)[1].via, sms::carrier::docomo);
  EXPECT_EQ((*rows)[1].messages, 5u);
  EXPECT_EQ((*rows)[1].segments, 15u);
  EXPECT_EQ((*rows)[1].parts, 15u);
  batch.clear();
  add("d1", "acc-1", 1, december);  // billed in the batch before
  add("d6", "acc-1", 6, december);
  for (auto& [offset, r] : batch)
    offset += 100;
  apply(batch);
  rows = view_->of_account("acc-1", 202612, 202612);
  ASSERT_OK(rows);
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ((*rows)[0].messages, 6u);
  EXPECT_EQ((*rows)[0].segments, 21u);
  auto other = view_->of_account("acc-2", 202612, 202612);
  ASSERT_OK(other);
  ASSERT_EQ(other->size(), 1u);
  EXPECT_EQ((*other)[0].messages, 1u);
  EXPECT_EQ((*other)[0].segments, 4u);
}

}  // namespace
}  // namespace ivrcast
