// SMS delivery end to end: jobs on sms.jobs → a node's carrier senders → simulated SMSCs over
// SMPP → receipts → sms.status → the delivery log → CSV. Runs on the embedded cluster and, with
// IVRCAST_TEST_BROKERS, on a real broker.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <map>

#include "actors/node.hpp"
#include "actors/sms_service.hpp"
#include "connectors/kafka/bus.hpp"
#include "connectors/kafka/consumer.hpp"
#include "messages/clock.hpp"
#include "messages/topics.hpp"
#include "sms/usage.hpp"
#include "storage/database.hpp"
#include "storage/delivery_log.hpp"
#include "storage/log_export.hpp"
#include "storage/usage.hpp"
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

TEST_F(SmsPathTest, ACarrierWithoutBindsHoldsNoMoreThanItsLimitAndSendsEachJobOnceWhenBound) {
  // docomo's SMSC is away and every sender may hold 12 jobs: the rest of docomo's stay in
  // sms.jobs, read again as it drains; the other carriers, in the same partitions, go on.
  constexpr size_t limit = 12;
  const auto docomo = static_cast<size_t>(sms::carrier::docomo);
  node_->stop();
  node_.reset();
  auto docomo_port = carriers_[docomo]->port();
  carriers_[docomo]->stop();
  settings_.sms.held_per_carrier = static_cast<int>(limit);
  start_node();

  std::vector<messages::sms_job> jobs;
  std::vector<const messages::sms_job*> others;
  auto t0 = unix_now_ms();
  for (int i = 0; i < 400; ++i)
    jobs.push_back(test::test_job(run_, i, t0));
  for (const auto& j : jobs)
    if (test::expected_billing(j).first != sms::carrier::docomo)
      others.push_back(&j);
  ASSERT_GT(jobs.size() - others.size(), 4 * limit);
  test::produce_jobs(*bus_, jobs);

  const auto& m = node_->sms().metrics();
  const auto& log = node_->sms().log();
  auto final_row = [&](const messages::sms_job* j) {
    auto r = log.find(j->job.value + ".1");
    return r && r->has_value() && sms::is_final((*r)->status);
  };
  ASSERT_TRUE(test::eventually([&] { return std::all_of(others.begin(), others.end(), final_row); },
                               std::chrono::seconds{120}))
      << "the other carriers' jobs are not held up behind docomo's";
  ASSERT_TRUE(test::eventually([&] { return m.held[docomo].load() == int64_t{limit}; }));
  EXPECT_GT(m.left.load(), 0u);

  // docomo's SMSC comes back on the same address: every job goes out once.
  auto o = tools::carrier_sim_options(settings_.sms, sms::carrier::docomo);
  o.port = docomo_port;
  auto back = tools::smsc_sim::start(o);
  ASSERT_OK(back);
  carriers_[docomo] = std::move(*back);
  expect_delivered_once(jobs);
  EXPECT_GT(m.rewinds.load(), 0u);
  for (auto c : sms::all_carriers)
    EXPECT_LE(m.held_peak[static_cast<size_t>(c)].load(), int64_t{limit}) << sms::key(c);
}

/// Reads sms.sends from the start into a usage projection of its own database.
struct sends_rebuild final : kafka::partition_reader::handler {
  explicit sends_rebuild(std::shared_ptr<storage::database> db) : view(std::move(db)) {}
  int64_t start_offset(int32_t) override { return 0; }
  void records(int32_t p, std::span<const kafka::record> batch) override {
    std::vector<storage::topic_record> recs;
    for (const auto& r : batch)
      recs.push_back({r.offset, r.key, r.value});
    EXPECT_TRUE(view.apply(p, recs));
  }
  void caught_up() override { done = true; }
  storage::usage view;
  std::atomic<bool> done{false};
};

TEST_F(SmsPathTest, MonthlyUsageIsWhatTheSmscsAcceptedAcrossARestartAndRebuildsFromTheTopic) {
  std::vector<messages::sms_job> jobs;
  auto t0 = unix_now_ms();
  for (int i = 0; i < 400; ++i)
    jobs.push_back(test::test_job(run_, i, t0));  // every 7th long: several parts
  test::produce_jobs(*bus_, {jobs.begin(), jobs.begin() + 200});
  ASSERT_TRUE(test::eventually([&] { return node_->sms().metrics().finished.load() >= 60; },
                               std::chrono::seconds{60}));
  node_->stop();  // mid-run: some jobs sent, some not yet
  node_.reset();
  start_node();
  test::produce_jobs(*bus_, {jobs.begin() + 200, jobs.end()});
  expect_delivered_once(jobs);

  // What each carrier's SMSC accepted: parts, and messages (one destination per job).
  std::map<sms::carrier, storage::usage_row> want;
  for (const auto& j : jobs) {
    auto [via, segments] = test::expected_billing(j);
    auto& w = want[via];
    w.messages += carriers_[static_cast<size_t>(via)]->submits_to(j.destination) > 0 ? 1 : 0;
    w.segments += static_cast<uint64_t>(segments);
  }
  for (auto c : sms::all_carriers)
    want[c].parts = carriers_[static_cast<size_t>(c)]->counts().submits;
  auto totals = [&](const storage::usage& u) {
    std::map<sms::carrier, storage::usage_row> got;
    auto rows = u.of_account("acc-test", sms::jst_month(t0), sms::jst_month(unix_now_ms()));
    EXPECT_TRUE(rows);
    for (const auto& r : rows ? *rows : std::vector<storage::usage_row>{}) {
      auto& g = got[r.via];
      g.messages += r.messages;
      g.segments += r.segments;
      g.parts += r.parts;
    }
    return got;
  };
  auto expect_equal = [&](const std::map<sms::carrier, storage::usage_row>& got, const char* what) {
    uint64_t messages = 0;
    for (auto c : sms::all_carriers) {
      auto w = want[c];
      auto it = got.find(c);
      auto g = it == got.end() ? storage::usage_row{} : it->second;
      EXPECT_EQ(g.messages, w.messages) << what << " " << sms::key(c);
      EXPECT_EQ(g.segments, w.segments) << what << " " << sms::key(c);
      EXPECT_EQ(g.parts, w.parts) << what << " " << sms::key(c);
      messages += g.messages;
    }
    EXPECT_EQ(messages, jobs.size()) << what;
  };
  // The node folds sends a little after the log is final: wait for the last part's record.
  ASSERT_TRUE(test::eventually([&] {
    uint64_t parts = 0;
    for (const auto& [c, r] : totals(node_->sms().usage()))
      parts += r.parts;
    uint64_t smsc = 0;
    for (const auto& c : carriers_)
      smsc += c->counts().submits;
    return parts == smsc;
  }));
  expect_equal(totals(node_->sms().usage()), "node");

  // A node with an empty disk folds the same from the topic.
  test::temp_dir fresh;
  auto db = storage::database::open(fresh.path());
  ASSERT_OK(db);
  sends_rebuild rebuild{*db};
  auto reader = kafka::partition_reader::open(*bus_, bus_->topic(topics::sms_sends),
                                              "usage-rebuild", rebuild);
  ASSERT_OK(reader);
  (*reader)->start();
  ASSERT_TRUE(test::eventually([&] { return rebuild.done.load(); }));
  (*reader)->stop();
  expect_equal(totals(rebuild.view), "rebuilt");
}

}  // namespace
}  // namespace ivrcast
