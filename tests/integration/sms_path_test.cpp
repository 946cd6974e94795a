// SMS delivery end to end: jobs on sms.jobs → a node's carrier senders → simulated SMSCs over
// SMPP → receipts → sms.status → the delivery log → CSV. Runs on the embedded cluster and, with
// IVRCAST_TEST_BROKERS, on a real broker.
#include <gtest/gtest.h>

#include <map>

#include "actors/node.hpp"
#include "actors/sms_service.hpp"
#include "connectors/kafka/bus.hpp"
#include "messages/clock.hpp"
#include "storage/delivery_log.hpp"
#include "storage/log_export.hpp"
#include "tests/support/sms_support.hpp"
#include "tests/support/test_support.hpp"

namespace ivrcast {
namespace {

namespace kafka = connectors::kafka;

class SmsPathTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    run_ = info->name();
    settings_ = test::settings_for(run_, dir_.path() + "/node");
    carriers_ = test::start_carriers(settings_);
    auto b = kafka::bus::open(settings_.kafka);
    ASSERT_OK(b);
    bus_ = std::move(*b);
    start_node();
  }

  void TearDown() override {
    if (node_)
      node_->stop();
    for (auto& c : carriers_)
      c->stop();
  }

  void start_node() {
    auto n = actors::node::start(settings_, bus_);
    ASSERT_OK(n);
    node_ = std::move(*n);
    auto* raw = node_.get();
    ASSERT_TRUE(test::eventually([raw] { return raw->sms().owned_partitions() > 0; }));
  }

  /// Waits until every job's row is final, then checks exactly-once at the carriers, each
  /// row against its job, and the CSV of the range column by column.
  void expect_delivered_once(const std::vector<messages::sms_job>& jobs) {
    const auto& log = node_->sms().log();
    auto from = jobs.front().requested_at_ms;
    auto to = jobs.back().requested_at_ms + 1;
    ASSERT_TRUE(test::eventually([&] { return test::final_rows(log, from, to) == jobs.size(); },
                                 std::chrono::seconds{120}))
        << test::final_rows(log, from, to) << " of " << jobs.size() << " rows final";

    test::expect_exactly_once(log, carriers_, jobs, from, to);
  }

  test::temp_dir dir_;
  std::string run_;
  config::settings settings_;
  std::vector<std::unique_ptr<tools::smsc_sim>> carriers_;
  std::shared_ptr<kafka::bus> bus_;
  std::unique_ptr<actors::node> node_;
};

TEST_F(SmsPathTest, JobsReachTheCarriersOnceAndTheLogHoldsOneCorrectRowEach) {
  std::vector<messages::sms_job> jobs;
  auto t0 = unix_now_ms();
  for (int i = 0; i < 600; ++i)
    jobs.push_back(test::test_job(run_, i, t0));
  test::produce_jobs(*bus_, jobs);
  expect_delivered_once(jobs);
  // Search by range and destination finds exactly that message.
  auto hits = node_->sms().log().search(t0, t0 + 1000, jobs[5].destination, 10);
  ASSERT_OK(hits);
  ASSERT_EQ(hits->size(), 1u);
  EXPECT_EQ((*hits)[0].job_id, jobs[5].job.value);
}

TEST_F(SmsPathTest, PoisonJobIsDeadLetteredAndTheSenderGoesOn) {
  test::produce_raw_job(*bus_, "09011112222", "\xFF\x01 not a protobuf");
  std::vector<messages::sms_job> jobs;
  auto t0 = unix_now_ms();
  for (int i = 0; i < 60; ++i)
    jobs.push_back(test::test_job(run_, i, t0));
  // A number no range covers ends as 内部エラー without reaching any carrier.
  auto unsendable = test::test_job(run_, 60, t0);
  unsendable.destination = "06012345678";
  // Age is the node's: a gateway clock two hours behind still sends (its time is only shown),
  // a job the node decided two hours ago does not (max_age_s is an hour).
  constexpr int64_t two_hours_ms = 2 * 3600 * 1000;
  auto skewed_gateway = test::test_job(run_, 61, t0 - two_hours_ms);
  skewed_gateway.decided_at_ms = t0;
  auto too_old = test::test_job(run_, 62, t0);
  too_old.decided_at_ms = t0 - two_hours_ms;
  jobs.insert(jobs.begin(), skewed_gateway);  // the log range starts at the earliest
  test::produce_jobs(*bus_, {unsendable, too_old});
  test::produce_jobs(*bus_, jobs);
  expect_delivered_once(jobs);
  const auto& m = node_->sms().metrics();
  EXPECT_EQ(m.dead_letters.load(), 1u);
  ASSERT_TRUE(test::eventually([&] {
    auto r = node_->sms().log().find(unsendable.job.value + ".1");
    return r && r->has_value() && (*r)->status == sms::delivery_status::internal_error;
  }));
  ASSERT_TRUE(test::eventually([&] {
    auto r = node_->sms().log().find(too_old.job.value + ".1");
    return r && r->has_value() && (*r)->status == sms::delivery_status::internal_error;
  }));
  auto skewed = node_->sms().log().find(skewed_gateway.job.value + ".1");
  ASSERT_TRUE(skewed && skewed->has_value());
  EXPECT_EQ((*skewed)->requested_at_ms, skewed_gateway.requested_at_ms);  // shown as it came
}

TEST_F(SmsPathTest, DroppedConnectionsAndThrottlingNeitherLoseNorDuplicate) {
  for (auto& c : carriers_) {
    c->set_throttle_every(9);
    c->drop_after_next_submit();  // accepted, never answered: the part is in doubt
  }
  std::vector<messages::sms_job> jobs;
  auto t0 = unix_now_ms();
  for (int i = 0; i < 400; ++i)
    jobs.push_back(test::test_job(run_, i, t0));
  test::produce_jobs(*bus_, std::vector<messages::sms_job>(jobs.begin(), jobs.begin() + 200));
  auto* raw = node_.get();
  ASSERT_TRUE(test::eventually([raw] { return raw->sms().metrics().parts_accepted.load() > 50; }));
  for (auto& c : carriers_)
    c->drop_connections();  // mid-stream, with submits in flight
  test::produce_jobs(*bus_, std::vector<messages::sms_job>(jobs.begin() + 200, jobs.end()));
  expect_delivered_once(jobs);
  const auto& m = node_->sms().metrics();
  EXPECT_GT(m.throttled.load(), 0u);
  EXPECT_GE(m.in_doubt.load(), 4u);
  EXPECT_GE(m.adopted.load(), 4u) << "the dropped-after-accept parts were proven by receipts";
}

TEST_F(SmsPathTest, RestartOnTheSameDiskSendsNothingAgain) {
  std::vector<messages::sms_job> jobs;
  auto t0 = unix_now_ms();
  for (int i = 0; i < 200; ++i)
    jobs.push_back(test::test_job(run_, i, t0));
  test::produce_jobs(*bus_, jobs);
  expect_delivered_once(jobs);
  node_->stop();
  node_.reset();
  if (settings_.kafka.embedded()) {
    // The embedded cluster lives in this process: a new group member re-reads from the last
    // commit. Replaying everything proves the records, not the commits, stop resubmission.
    settings_.sms.group_id += "-again";
  }
  start_node();
  test::produce_jobs(*bus_, jobs);  // the gateway sent them all again
  ASSERT_TRUE(test::eventually([&] { return node_->sms().metrics().skipped.load() >= jobs.size(); },
                               std::chrono::seconds{60}));
  expect_delivered_once(jobs);
}

}  // namespace
}  // namespace ivrcast
