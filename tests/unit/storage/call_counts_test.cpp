#include "storage/call_counts.hpp"

#include <gtest/gtest.h>

#include <map>

#include <rocksdb/db.h>

#include "storage/database.hpp"
#include "storage/keys.hpp"
#include "tests/support/test_support.hpp"

namespace ivrcast::storage {
namespace {

// 2026-11-23 00:00 JST = 2026-11-22 15:00 UTC
constexpr int64_t midnight_jst_ms = 1'795'359'600'000;

messages::call_event started(int64_t offset, std::string called, int64_t at_ms) {
  messages::call_event ev;
  ev.call = call_id{"c" + std::to_string(offset)};
  ev.kind = messages::call_event_kind::started;
  ev.offset = offset;
  ev.called = std::move(called);
  ev.occurred_at_ms = at_ms;
  return ev;
}

messages::call_event_batch batch(int32_t partition, std::vector<messages::call_event> evs) {
  messages::call_event_batch b;
  b.partition = partition_id{partition};
  b.last_offset = evs.back().offset;
  b.events = std::move(evs);
  return b;
}

/// Who owns each number now: the tests move 05011110003 from a1 to a2.
struct owners {
  std::map<std::string, std::string> by_number{
      {"05011110001", "a1"}, {"05011110002", "a1"}, {"05011110003", "a1"}};
  call_counts::owner_fn fn() {
    return [this](std::string_view n) {
      auto it = by_number.find(std::string{n});
      return it == by_number.end() ? std::string{} : it->second;
    };
  }
};

class CallCountsTest : public ::testing::Test {
 protected:
  test::temp_dir dir_;
  owners owners_;
  std::shared_ptr<database> db_ = *database::open(dir_.path());
  call_counts counts_{db_, owners_.fn()};
};

TEST_F(CallCountsTest, JapanTimeDayBoundaries) {
  EXPECT_EQ(jst_day(midnight_jst_ms), 20261123u);
  EXPECT_EQ(jst_day(midnight_jst_ms - 1), 20261122u);
  EXPECT_EQ(jst_day(0), 19700101u);  // 09:00 JST
}

TEST_F(CallCountsTest, CountsStartedEventsPerNumberPerDay) {
  auto b = batch(
      0,
      {started(0, "05011110001", midnight_jst_ms - 1), started(1, "05011110001", midnight_jst_ms),
       started(2, "05011110001", midnight_jst_ms + 5), started(3, "05011110002", midnight_jst_ms)});
  b.events.push_back(b.events[0]);
  b.events.back().kind = messages::call_event_kind::ended;  // not a call
  b.events.back().offset = 4;
  b.last_offset = 4;
  ASSERT_OK(counts_.apply(b));
  EXPECT_EQ(*counts_.get("a1", "05011110001", 20261122), 1u);
  EXPECT_EQ(*counts_.get("a1", "05011110001", 20261123), 2u);
  EXPECT_EQ(*counts_.get("a1", "05011110002", 20261123), 1u);
  EXPECT_EQ(*counts_.get("a1", "05011110003", 20261123), 0u);
  auto days = counts_.days("a1", "05011110001", 20261101, 20261130);
  ASSERT_OK(days);
  EXPECT_EQ(days->size(), 2u);
  EXPECT_EQ((*counts_.totals())["05011110001"], 3u);
}

TEST_F(CallCountsTest, ReplayedBatchIsNotCountedTwice) {
  auto b = batch(0, {started(10, "05011110001", midnight_jst_ms),
                     started(11, "05011110001", midnight_jst_ms)});
  ASSERT_OK(counts_.apply(b));
  ASSERT_OK(counts_.apply(b));  // redelivered after a rebalance
  // A batch overlapping the checkpoint counts only its new events.
  ASSERT_OK(counts_.apply(batch(0, {started(11, "05011110001", midnight_jst_ms),
                                    started(12, "05011110001", midnight_jst_ms)})));
  EXPECT_EQ(*counts_.get("a1", "05011110001", 20261123), 3u);
  EXPECT_EQ(*counts_.checkpoint(0), 12);
  EXPECT_EQ(*counts_.checkpoint(1), -1);
}

TEST_F(CallCountsTest, RepeatedStartOfOneCallCountsOnce) {
  auto first = started(20, "05011110001", midnight_jst_ms);
  auto again = first;
  again.offset = 21;  // the gateway sent the same start again
  auto in_later_batch = first;
  in_later_batch.offset = 40;
  ASSERT_OK(counts_.apply(batch(0, {first, again})));
  ASSERT_OK(counts_.apply(batch(0, {in_later_batch})));
  EXPECT_EQ(*counts_.get("a1", "05011110001", 20261123), 1u);
  auto known = counts_.first_start("c20");
  ASSERT_OK(known);
  ASSERT_TRUE(known->has_value());
  EXPECT_EQ((*known)->partition, 0);
  EXPECT_EQ((*known)->offset, 20);
  EXPECT_FALSE(counts_.first_start("c99")->has_value());
}

TEST_F(CallCountsTest, FirstStartsAreForgottenAfterTheRetentionAndCountsStay) {
  ASSERT_OK(counts_.apply(batch(0, {started(1, "05011110001", midnight_jst_ms),
                                    started(2, "05011110001", midnight_jst_ms + 1000)})));
  auto n = counts_.forget_starts_before(midnight_jst_ms + 1);
  ASSERT_OK(n);
  EXPECT_EQ(*n, 1u);
  EXPECT_FALSE(counts_.first_start("c1")->has_value());
  EXPECT_TRUE(counts_.first_start("c2")->has_value());
  EXPECT_EQ(*counts_.get("a1", "05011110001", 20261123), 2u);
}

TEST_F(CallCountsTest, ReopenedDatabaseKeepsCountsAndCheckpoints) {
  ASSERT_OK(counts_.apply(batch(3, {started(7, "05011110001", midnight_jst_ms)})));
  auto dir = dir_.path();
  db_.reset();
  counts_ = call_counts{nullptr};  // drop the last reference before reopening
  auto reopened = database::open(dir);
  ASSERT_OK(reopened);
  call_counts again{*reopened, owners_.fn()};
  EXPECT_EQ(*again.get("a1", "05011110001", 20261123), 1u);
  EXPECT_EQ(*again.checkpoint(3), 7);
}

TEST_F(CallCountsTest, AMovedNumbersEarlierCallsStayWithItsFormerAccount) {
  ASSERT_OK(counts_.apply(batch(0, {started(1, "05011110003", midnight_jst_ms)})));
  owners_.by_number["05011110003"] = "a2";
  ASSERT_OK(counts_.apply(batch(0, {started(2, "05011110003", midnight_jst_ms + 1000),
                                    started(3, "05011110003", midnight_jst_ms + 2000)})));
  EXPECT_EQ(*counts_.get("a1", "05011110003", 20261123), 1u);
  EXPECT_EQ(*counts_.get("a2", "05011110003", 20261123), 2u);
  EXPECT_EQ((*counts_.days("a2", "05011110003", 20261101, 20261130))[20261123], 2u);
  EXPECT_TRUE(counts_.days("a2", "05011110001", 20261101, 20261130)->empty());
  EXPECT_EQ((*counts_.totals())["05011110003"], 3u) << "every account's";
  EXPECT_EQ((*counts_.totals(20261122))["05011110003"], 0u);
}

TEST_F(CallCountsTest, CountsOfTheLayoutBeforeAccountsMoveToTheirOwner) {
  // As the version before accounts wrote them: <number> \0 <day>, an 8-byte count.
  std::string count;
  keys::put_be64(count, 5);
  for (auto day : {20261122u, 20261123u}) {
    std::string key = "05011110001";
    key += '\0';
    keys::put_be32(key, day);
    ASSERT_TRUE(db_->db().Put(rocksdb::WriteOptions{}, db_->call_counts(), key, count).ok());
  }
  ASSERT_OK(counts_.apply(batch(0, {started(1, "05011110001", midnight_jst_ms)})));
  auto moved = counts_.move_to_accounts();
  ASSERT_OK(moved);
  EXPECT_EQ(*moved, 2u);
  EXPECT_EQ(*counts_.get("a1", "05011110001", 20261122), 5u);
  EXPECT_EQ(*counts_.get("a1", "05011110001", 20261123), 6u) << "added to the new layout's";
  EXPECT_EQ(*counts_.move_to_accounts(), 0u) << "once";
  EXPECT_EQ((*counts_.totals())["05011110001"], 11u);
}

}  // namespace
}  // namespace ivrcast::storage
