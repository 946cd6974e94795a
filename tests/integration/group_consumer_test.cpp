// A group member's life at its edges: stopped before its first assignment, while the group is
// still forming. librdkafka 2.0.2 (Debian 12) aborts the process in that case with its
// cooperative-sticky assignor (confluentinc/librdkafka#4312, fixed in 2.3.0); these tests hold a
// member there with the mock cluster's error injection, so they run on the embedded cluster only.

#include <gtest/gtest.h>

#include <librdkafka/rdkafka.h>

#include "connectors/kafka/bus.hpp"
#include "connectors/kafka/consumer.hpp"
#include "connectors/kafka/embedded_cluster.hpp"
#include "tests/support/test_support.hpp"

namespace ivrcast {
namespace {

namespace kafka = connectors::kafka;

constexpr int16_t sync_group_api = 14;  // not in librdkafka's public headers

/// Takes whatever it is given and keeps nothing: these tests look at membership only.
class idle_handler final : public kafka::consumer_handler {
 public:
  void assigned(const std::vector<int32_t>&) override {}
  void revoked(const std::vector<int32_t>&) override {}
  void records(int32_t, std::span<const kafka::record>) override {}
  int64_t committable(int32_t) override { return -1; }
};

class GroupConsumerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    settings_ = test::settings_for(info->name(), dir_.path());
    if (!settings_.kafka.brokers.empty())
      GTEST_SKIP() << "needs the embedded cluster's request-error injection";
    auto b = kafka::bus::open(settings_.kafka);
    ASSERT_OK(b);
    bus_ = std::move(*b);
    topic_ = bus_->topic(topics::call_events);
  }

  std::unique_ptr<kafka::group_consumer> member(const std::string& client_id) {
    auto c =
        kafka::group_consumer::open(*bus_, settings_.kafka.group_id, topic_, client_id, handler_);
    EXPECT_TRUE(c) << describe(c.error());
    if (!c)
      return nullptr;
    (*c)->start();
    return std::move(*c);
  }

  /// Fails the group's next `count` SyncGroup requests: a member that has had its JoinGroup
  /// answer (and so chosen its assignor) but no assignment stays in that state.
  void hold_sync(size_t count) {
    auto* cluster = bus_->embedded();
    cluster->set_group_coordinator(settings_.kafka.group_id, 1);
    cluster->fail_requests(1, sync_group_api, count, RD_KAFKA_RESP_ERR_REBALANCE_IN_PROGRESS);
  }

  size_t sync_failures_left() const { return bus_->embedded()->failures_left(1, sync_group_api); }

  test::temp_dir dir_;
  config::settings settings_;
  std::unique_ptr<kafka::bus> bus_;
  std::string topic_;
  idle_handler handler_;
};

TEST_F(GroupConsumerTest, MemberStoppedBeforeItsFirstAssignmentLeavesCleanly) {
  constexpr size_t held = 2;  // stopped after the first; the next member spends the second
  hold_sync(held);
  auto first = member("first");
  ASSERT_TRUE(first);
  ASSERT_TRUE(test::eventually([&] { return sync_failures_left() < held; }))
      << "the member never reached SyncGroup";
  EXPECT_EQ(first->owned(), 0u);
  first->stop();
  first.reset();  // rd_kafka_destroy: where the cooperative-sticky assignor aborted

  // The group goes on: the next member, once the held requests are spent, gets every partition.
  auto next = member("next");
  ASSERT_TRUE(next);
  EXPECT_TRUE(test::eventually([&] {
    return next->owned() == static_cast<size_t>(settings_.kafka.partitions);
  })) << "owned "
      << next->owned();
}

TEST_F(GroupConsumerTest, MemberStoppedWhileJoiningAGroupLeavesTheOwnerItsPartitions) {
  auto owner = member("owner");
  ASSERT_TRUE(owner);
  auto all = static_cast<size_t>(settings_.kafka.partitions);
  ASSERT_TRUE(test::eventually([&] { return owner->owned() == all; }));

  constexpr size_t held = 3;
  hold_sync(held);
  auto joiner = member("joiner");
  ASSERT_TRUE(joiner);
  // Two failed: both members have had their JoinGroup answers.
  ASSERT_TRUE(test::eventually([&] { return sync_failures_left() <= held - 2; }))
      << "the rebalance never reached SyncGroup";
  joiner->stop();
  joiner.reset();

  EXPECT_TRUE(test::eventually([&] { return sync_failures_left() == 0 && owner->owned() == all; }))
      << "owner holds " << owner->owned() << " of " << all;
}

TEST_F(GroupConsumerTest, CooperativeStickyOverrideIsRefusedByName) {
  auto s = settings_.kafka;
  s.consumer["partition.assignment.strategy"] = "cooperative-sticky";
  auto b = kafka::bus::open(s);
  ASSERT_OK(b);
  auto c = kafka::group_consumer::open(**b, s.group_id, topic_, "refused", handler_);
  ASSERT_FALSE(c);
  auto why = describe(c.error());
  EXPECT_NE(why.find("kafka.consumer.partition.assignment.strategy"), std::string::npos) << why;
  EXPECT_NE(why.find("2.3.0"), std::string::npos) << why;
}

}  // namespace
}  // namespace ivrcast
