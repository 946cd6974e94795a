// The sends view: each message's last record, folded once per offset.

#include "storage/sends.hpp"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "storage/database.hpp"
#include "tests/support/test_support.hpp"

namespace ivrcast::storage {
namespace {

wire::SendRecord record(const std::string& id, wire::SendRecord::State st, int next_part) {
  wire::SendRecord r;
  r.set_message_id(id);
  r.set_state(st);
  r.set_next_part(next_part);
  return r;
}

class SendsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = database::open(dir_.path());
    ASSERT_OK(db);
    db_ = std::move(*db);
    view_ = std::make_unique<sends>(db_);
  }

  /// Applies (offset, record bytes) of partition 3 as one batch.
  void apply(const std::vector<std::pair<int64_t, std::string>>& recs) {
    std::vector<topic_record> in;
    for (const auto& [offset, bytes] : recs)
      in.push_back({offset, "key", bytes});
    ASSERT_OK(view_->apply(3, in));
  }

  wire::SendRecord::State state_of(const std::string& id) {
    auto got = view_->find(id);
    EXPECT_TRUE(got && got->has_value()) << id;
    return got && got->has_value() ? (*got)->state() : wire::SendRecord::STATE_UNSPECIFIED;
  }

  test::temp_dir dir_;
  std::shared_ptr<database> db_;
  std::unique_ptr<sends> view_;
};

TEST_F(SendsTest, EachMessageKeepsItsLastRecordWithinABatchAndAcross) {
  auto bytes = [](const wire::SendRecord& r) { return r.SerializeAsString(); };
  // One batch: m1 in flight then submitted, m2 in flight, then m1 closed; a record that is
  // not one is counted and skipped.
  apply({{0, bytes(record("m1", wire::SendRecord::IN_FLIGHT, 0))},
         {1, bytes(record("m1", wire::SendRecord::SUBMITTED, 1))},
         {2, bytes(record("m2", wire::SendRecord::IN_FLIGHT, 0))},
         {3, std::string{"\xff\xff not a record"}},
         {4, bytes(record("m1", wire::SendRecord::CLOSED, 1))}});
  EXPECT_EQ(state_of("m1"), wire::SendRecord::CLOSED);
  EXPECT_EQ(state_of("m2"), wire::SendRecord::IN_FLIGHT);
  EXPECT_EQ(view_->refused(), 1u);
  EXPECT_EQ(view_->applied(3), 4);
  // Read again from an earlier offset (a replay), then on.
  apply({{2, bytes(record("m2", wire::SendRecord::SUBMITTED, 1))},
         {5, bytes(record("m2", wire::SendRecord::RELEASED, 0))}});
  EXPECT_EQ(state_of("m2"), wire::SendRecord::RELEASED);
  apply({{1, bytes(record("m1", wire::SendRecord::SUBMITTED, 1))}});
  EXPECT_EQ(state_of("m1"), wire::SendRecord::CLOSED) << "a replayed record changes nothing";
  EXPECT_EQ(view_->applied(3), 5) << "nor moves the offset applied back";
  auto none = view_->find("m3");
  ASSERT_OK(none);
  EXPECT_FALSE(none->has_value());
  auto stored = view_->checkpoint(3);
  ASSERT_OK(stored);
  EXPECT_EQ(*stored, 5);
}

}  // namespace
}  // namespace ivrcast::storage
