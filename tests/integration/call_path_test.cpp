// The call path end to end: the simulator's callers against a node, on the embedded cluster
// (label integration) or, with IVRCAST_TEST_BROKERS, a real broker (label broker).

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <mutex>

#include "actors/node.hpp"
#include "actors/sms_service.hpp"
#include "connectors/control/flow_file.hpp"
#include "connectors/delivery/job_codec.hpp"
#include "connectors/gateway/codec.hpp"
#include "connectors/kafka/bus.hpp"
#include "connectors/kafka/consumer.hpp"
#include "connectors/kafka/producer.hpp"
#include "messages/clock.hpp"
#include "messages/deadletter.pb.h"
#include "sms/delivery_status.hpp"
#include "sms/log_row.hpp"
#include "storage/call_counts.hpp"
#include "storage/delivery_log.hpp"
#include "tests/support/test_support.hpp"
#include "tests/support/topic_copy.hpp"
#include "tools/gateway_sim/gateway_sim.hpp"

namespace ivrcast {
namespace {

namespace kafka = connectors::kafka;

using test::topic_copy;

/// Every record of the call-events topic with where it landed, to replay as a gateway would.
class event_tap final : public kafka::partition_reader::handler {
 public:
  struct copy {
    int32_t partition;
    int64_t offset;
    std::string key;
    std::string value;
    messages::call_event_kind kind;
  };
  int64_t start_offset(int32_t) override { return 0; }
  void records(int32_t partition, std::span<const kafka::record> batch) override {
    std::lock_guard<std::mutex> guard{mtx_};
    for (const auto& r : batch) {
      auto ev = connectors::gateway::decode_event(r.key, r.value, r.offset);
      if (ev)
        all_.push_back({partition, r.offset, std::string{r.key}, std::string{r.value}, ev->kind});
    }
  }
  std::vector<copy> all() const {
    std::lock_guard<std::mutex> guard{mtx_};
    return all_;
  }
  /// The highest offset seen per partition.
  std::map<int32_t, int64_t> ends() const {
    std::map<int32_t, int64_t> out;
    for (const auto& c : all())
      out[c.partition] = std::max(out[c.partition], c.offset);
    return out;
  }

 private:
  mutable std::mutex mtx_;
  std::vector<copy> all_;
};

/// SMS jobs on the topic as the call path put them there (not the copies the SMS side moved to
/// the partition holding their carrier's binds).
size_t call_jobs(const topic_copy& jobs) {
  size_t n = 0;
  for (const auto& v : jobs.values())
    if (auto job = connectors::delivery::decode_job(v); job && job->forwarded_from == 0)
      ++n;
  return n;
}

class CallPathTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    settings_ = test::settings_for(info->name(), dir_.path() + "/node");
    auto b = kafka::bus::open(settings_.kafka);
    ASSERT_OK(b);
    bus_ = std::move(*b);
    auto f =
        connectors::control::publish_file(IVRCAST_SOURCE_DIR "/config/flows.example.json", *bus_);
    ASSERT_OK(f);
    flows_ = std::move(*f);
    auto p = kafka::producer::open(*bus_, "test-producer", {});
    ASSERT_OK(p);
    producer_ = std::move(*p);
  }

  std::unique_ptr<actors::node> start_node(const std::string& data_dir) {
    auto s = settings_;
    s.node.data_dir = data_dir;
    auto n = actors::node::start(s, bus_);
    EXPECT_TRUE(n) << describe(n.error());
    if (!n)
      return nullptr;
    auto* raw = n->get();
    EXPECT_TRUE(test::eventually([raw] { return raw->owned_partitions() > 0; }));
    return std::move(*n);
  }

  std::unique_ptr<tools::gateway_sim> run_calls(uint64_t calls, double rate,
                                                int64_t backdate_ms = 0) {
    tools::sim_options o;
    o.total_calls = calls;
    o.calls_per_second = rate;
    o.backdate_ms = backdate_ms;
    o.mix = *tools::parse_mix(settings_.demo.mix);
    auto sim = tools::gateway_sim::start(*bus_, o, tools::targets_from(flows_));
    EXPECT_TRUE(sim) << describe(sim.error());
    auto* raw = sim->get();
    EXPECT_TRUE(test::eventually([raw] { return raw->all_done(); }, std::chrono::seconds{180}))
        << raw->report().finished << " of " << calls << " calls finished";
    auto problems = raw->problems();
    EXPECT_TRUE(problems.empty()) << problems.front();
    return std::move(*sim);
  }

  std::unique_ptr<kafka::partition_reader> read_topic(const topics::topic_spec& t,
                                                      topic_copy& into) {
    auto r = kafka::partition_reader::open(*bus_, bus_->topic(t), "test-reader", into);
    EXPECT_TRUE(r) << describe(r.error());
    (*r)->start();
    return std::move(*r);
  }

  /// Whether the node's call counts are `expected`; if not, what differs (the first few numbers).
  static ::testing::AssertionResult counts_equal(actors::node& n,
                                                 const std::map<std::string, uint64_t>& expected) {
    auto totals = n.counts().totals();
    if (!totals)
      return ::testing::AssertionFailure() << describe(totals.error());
    if (*totals == expected)
      return ::testing::AssertionSuccess();
    uint64_t want = 0, got = 0;
    std::string differ;
    int shown = 0;
    for (const auto& [number, calls] : expected) {
      want += calls;
      auto it = totals->find(number);
      auto have = it == totals->end() ? 0 : it->second;
      if (have != calls && shown++ < 5)
        differ += " " + number + ":" + std::to_string(have) + "/" + std::to_string(calls);
    }
    for (const auto& [number, calls] : *totals)
      got += calls;
    return ::testing::AssertionFailure()
           << "counted " << got << " of " << want << " calls over " << totals->size() << " of "
           << expected.size() << " numbers; counted/placed:" << differ;
  }

  /// Waits for counts_equal, then answers it (so a timeout says what differed).
  static ::testing::AssertionResult counts_reach(actors::node& n,
                                                 const std::map<std::string, uint64_t>& expected) {
    test::eventually([&] { return static_cast<bool>(counts_equal(n, expected)); });
    return counts_equal(n, expected);
  }

  test::temp_dir dir_;
  config::settings settings_;
  std::shared_ptr<kafka::bus> bus_;
  connectors::control::flow_file flows_;
  std::unique_ptr<kafka::producer> producer_;
};

TEST_F(CallPathTest, TwoThousandCallsProduceExactlyTheExpectedJobsAndCounts) {
  auto node = start_node(settings_.node.data_dir);
  ASSERT_TRUE(node);
  auto sim = run_calls(2000, 1000);
  auto expected = sim->expected_jobs();
  auto report = sim->report();
  EXPECT_EQ(report.finished, 2000u);
  // The demo mix: 30+20+10+6+6 = 72 of every 100 calls end with an SMS.
  EXPECT_EQ(expected.size(), 1440u);

  topic_copy jobs;
  auto reader = read_topic(topics::sms_jobs, jobs);
  ASSERT_TRUE(test::eventually([&] { return call_jobs(jobs) >= expected.size(); }));
  std::vector<std::string> got;
  std::set<std::string> ids;
  for (const auto& v : jobs.values()) {
    auto job = connectors::delivery::decode_job(v);
    ASSERT_OK(job);
    if (job->forwarded_from != 0)
      continue;  // moved by the SMS side to a partition with its carrier's binds
    EXPECT_TRUE(ids.insert(job->job.value).second) << "duplicate job " << job->job.value;
    EXPECT_EQ(job->job.value, job->flow_version.value + "-" + job->call.value);
    got.push_back(job->call.value + " " + job->destination + " " + job->flow_version.value);
  }
  std::vector<std::string> want;
  for (const auto& e : expected)
    want.push_back(e.call_id + " " + e.destination + " " + e.flow_version);
  std::sort(got.begin(), got.end());
  std::sort(want.begin(), want.end());
  EXPECT_EQ(got, want);

  EXPECT_TRUE(counts_reach(*node, report.by_number))
      << "counts differ from calls placed per number";
  EXPECT_EQ(node->metrics().calls_started.load(), 2000u);
  EXPECT_EQ(node->metrics().live_sessions.load(), 0);
}

TEST_F(CallPathTest, RestartOnSameDatabaseChangesNoCount) {
  auto dir = settings_.node.data_dir;
  auto node = start_node(dir);
  ASSERT_TRUE(node);
  auto first = run_calls(200, 500)->report().by_number;
  ASSERT_TRUE(counts_reach(*node, first));
  node->stop();
  node.reset();

  node = start_node(dir);  // same RocksDB, same topics: resumes from its checkpoints
  ASSERT_TRUE(node);
  auto second = run_calls(100, 500)->report().by_number;
  auto both = first;
  for (const auto& [k, v] : second)
    both[k] += v;
  EXPECT_TRUE(counts_reach(*node, both));

  // A node with an empty disk rebuilds the same counts from the topic.
  auto rebuilt = start_node(dir_.path() + "/fresh");
  ASSERT_TRUE(rebuilt);
  EXPECT_TRUE(counts_reach(*rebuilt, both));
  EXPECT_TRUE(counts_equal(*node, both));
}

/// A gateway repeats events (a producer retry without idempotence, a restart that re-sends):
/// each kind replayed on its own, then all of them again after a node restart, changes no count,
/// issues no command and puts no SMS job on the topic.
TEST_F(CallPathTest, ReplayedGatewayEventsOfEveryKindTakeEffectOnce) {
  auto dir = settings_.node.data_dir;
  auto node = start_node(dir);
  ASSERT_TRUE(node);
  auto report = run_calls(300, 500)->report();
  ASSERT_TRUE(counts_reach(*node, report.by_number));
  event_tap tap;
  auto tap_reader =
      kafka::partition_reader::open(*bus_, bus_->topic(topics::call_events), "test-tap", tap);
  ASSERT_OK(tap_reader);
  (*tap_reader)->start();
  ASSERT_TRUE(test::eventually([&] { return tap.all().size() == node->metrics().events.load(); }));
  const auto original = tap.all();
  topic_copy jobs, commands;
  auto jobs_reader = read_topic(topics::sms_jobs, jobs);
  auto commands_reader = read_topic(topics::call_commands, commands);
  const auto& m = node->metrics();
  ASSERT_TRUE(test::eventually([&] {
    return call_jobs(jobs) == m.sms_jobs.load() && commands.values().size() == m.commands.load() &&
           m.live_sessions.load() == 0;
  }));
  const auto started = m.calls_started.load(), issued = m.commands.load(),
             queued = m.sms_jobs.load();
  ASSERT_EQ(started, 300u);

  auto events = producer_->topic(bus_->topic(topics::call_events));
  // Replays `which`, then waits until `n` has routed them and folded them into its counts.
  auto replay = [&](actors::node& n, const std::vector<event_tap::copy>& which,
                    uint64_t routed_before) {
    auto seen = tap.all().size();
    for (const auto& c : which)
      ASSERT_TRUE(producer_->produce(events, c.key, c.value, 0));
    ASSERT_OK(producer_->flush(test::scaled(std::chrono::seconds{30})));
    ASSERT_TRUE(test::eventually([&] { return tap.all().size() >= seen + which.size(); }));
    ASSERT_TRUE(test::eventually([&] {
      return n.metrics().events.load() >= routed_before + which.size() &&
             n.metrics().live_sessions.load() == 0;
    }));
    ASSERT_TRUE(test::eventually([&] {
      for (const auto& [p, end] : tap.ends())
        if (auto cp = n.counts().checkpoint(p); !cp || *cp < end)
          return false;
      return true;
    }));
  };
  using kind = messages::call_event_kind;
  uint64_t repeats = 0;
  for (auto k : {kind::prompt_finished, kind::digits_collected, kind::ended, kind::started}) {
    SCOPED_TRACE(static_cast<int>(k));
    std::vector<event_tap::copy> of_kind;
    for (const auto& c : original)
      if (c.kind == k)
        of_kind.push_back(c);
    if (k == kind::prompt_finished && of_kind.empty()) {
      // The simulator reports no finished prompts: a real gateway's, sent twice each.
      for (const auto& c : original) {
        if (c.kind != kind::started)
          continue;
        auto ev = connectors::gateway::decode_event(c.key, c.value, c.offset);
        ASSERT_OK(ev);
        ev->kind = kind::prompt_finished;
        ev->command_seq = 1;
        ev->prompt_id = "step1";
        event_tap::copy pf{c.partition, -1, c.key, {}, k};
        connectors::gateway::encode(*ev, pf.value);
        of_kind.push_back(pf);
        of_kind.push_back(pf);
      }
    }
    ASSERT_FALSE(of_kind.empty());
    replay(*node, of_kind, m.events.load());
    if (k == kind::started)
      repeats += of_kind.size();
    EXPECT_EQ(m.calls_started.load(), started);
    EXPECT_EQ(m.commands.load(), issued);
    EXPECT_EQ(m.sms_jobs.load(), queued);
    EXPECT_EQ(m.repeated_starts.load(), repeats);
    EXPECT_TRUE(counts_equal(*node, report.by_number)) << "a replay changed the counts";
  }

  // The same after a restart: the node resumes from its commit point and its projection.
  node->stop();
  node.reset();
  node = start_node(dir);
  ASSERT_TRUE(node);
  replay(*node, original, 0);
  const auto& again = node->metrics();
  EXPECT_EQ(again.calls_started.load(), 0u);
  EXPECT_EQ(again.commands.load(), 0u);
  EXPECT_EQ(again.sms_jobs.load(), 0u);
  EXPECT_EQ(again.repeated_starts.load(), started);
  EXPECT_TRUE(counts_equal(*node, report.by_number));

  // The topics agree: a fresh call's job and commands arrive after every replay was routed,
  // and nothing else did.
  auto fresh = run_calls(1, 10);
  auto jobs_now = queued + fresh->expected_jobs().size();
  ASSERT_TRUE(test::eventually([&] { return call_jobs(jobs) >= jobs_now; }));
  EXPECT_EQ(call_jobs(jobs), jobs_now);
  auto commands_now = issued + again.commands.load();
  ASSERT_TRUE(test::eventually([&] { return commands.values().size() >= commands_now; }));
  EXPECT_EQ(commands.values().size(), commands_now);
}

/// The delivery log of [from, to) as comparable text: one line per row, in key order.
std::string log_rows(const actors::node& n, int64_t from, int64_t to) {
  std::string out;
  auto ok = n.sms().log().scan(from, to, "", [&](const sms::log_row& r) {
    out += r.message_id + " " + std::to_string(r.requested_at_ms) + " " +
           std::string{sms::label(r.status)} + " " + r.destination + "\n";
    return true;
  });
  return ok ? out : "scan failed";
}

TEST_F(CallPathTest, ANodeWithAnEmptyDiskGetsThreeMonthsOfLogAndCountsBack) {
  constexpr int64_t day_ms = 24LL * 3600 * 1000;
  auto a = start_node(dir_.path() + "/a");
  ASSERT_TRUE(a);
  // Calls on four days over three months (the gateway's clock dates them there): counts per
  // day and delivery-log rows reach back 89 days, within the 3 months the product keeps.
  uint64_t sms_expected = 0;
  std::map<std::string, uint64_t> placed;
  for (int64_t days : {89, 60, 30, 0}) {
    auto sim = run_calls(100, 200, days * day_ms);
    sms_expected += sim->expected_jobs().size();
    for (const auto& [number, calls] : sim->report().by_number)
      placed[number] += calls;
  }
  auto now = unix_now_ms();
  auto from = now - 90 * day_ms;
  auto to = now + 3600 * 1000;
  auto rows = [&](const actors::node& n) {
    auto text = log_rows(n, from, to);
    return static_cast<uint64_t>(std::count(text.begin(), text.end(), '\n'));
  };
  ASSERT_TRUE(test::eventually([&] { return rows(*a) == sms_expected; }))
      << rows(*a) << " of " << sms_expected << " rows";
  // The counts are a projection of their own, which may trail the log: the first node's are
  // the reference only once they hold every call placed.
  ASSERT_TRUE(counts_reach(*a, placed));
  auto totals = a->counts().totals();
  ASSERT_OK(totals);
  ASSERT_FALSE(totals->empty());

  auto b = start_node(dir_.path() + "/b");  // a new disk: everything from the topics
  ASSERT_TRUE(b);
  auto first_day = storage::jst_day(now - 90 * day_ms);
  auto today = storage::jst_day(now);
  // The numbers of config/flows.example.json and their accounts; the simulator's unknown
  // number is no account's.
  auto account_of = [](const std::string& number) {
    return number == "05011110009"                              ? "acc-closed"
           : number == "05011110001" || number == "05011110002" ? "acc-demo"
                                                                : "";
  };
  auto same_days = [&] {
    for (const auto& [number, total] : *totals) {
      auto da = a->counts().days(account_of(number), number, first_day, today);
      auto db = b->counts().days(account_of(number), number, first_day, today);
      if (!da || !db || *da != *db)
        return false;
    }
    return true;
  };
  // On failure: how far each node's counts have folded each partition (records that never
  // arrived, or arrived and were not counted).
  auto folded = [&] {
    std::string out;
    for (int32_t p = 0; p < settings_.kafka.partitions; ++p) {
      auto ca = a->counts().checkpoint(p);
      auto cb = b->counts().checkpoint(p);
      out += " p" + std::to_string(p) + ":" + (cb ? std::to_string(*cb) : "?") + "/" +
             (ca ? std::to_string(*ca) : "?");
    }
    return out;
  };
  EXPECT_TRUE(test::eventually([&] {
    return counts_equal(*b, *totals) && same_days() &&
           log_rows(*b, from, to) == log_rows(*a, from, to);
  })) << counts_equal(*b, *totals).message()
      << "; days the same: " << same_days() << "; " << log_rows(*b, from, to).size()
      << " bytes of rows on the new node, " << log_rows(*a, from, to).size()
      << " on the first; offsets folded, new/first:" << folded();
  auto days = a->counts().days("acc-demo", "05011110001", first_day, today);
  ASSERT_OK(days);
  EXPECT_EQ(days->size(), 4u) << "calls on four days over three months";
}

TEST_F(CallPathTest, MalformedRecordGoesToDeadLettersAndTheNodeGoesOn) {
  auto node = start_node(settings_.node.data_dir);
  ASSERT_TRUE(node);
  auto events = producer_->topic(bus_->topic(topics::call_events));
  ASSERT_TRUE(producer_->produce(events, "bad-1", "\x08\xff\xff not protobuf", 0));
  ASSERT_OK(producer_->flush(test::scaled(std::chrono::seconds{10})));
  auto sim = run_calls(50, 200);  // calls after the bad record still work
  EXPECT_EQ(sim->report().finished, 50u);

  topic_copy dead;
  auto reader = read_topic(topics::dead_letters, dead);
  ASSERT_TRUE(test::eventually([&] { return !dead.values().empty(); }));
  wire::DeadLetter dl;
  ASSERT_TRUE(dl.ParseFromString(dead.values().front()));
  EXPECT_EQ(dl.source_topic(), bus_->topic(topics::call_events));
  EXPECT_EQ(dl.key(), "bad-1");
  EXPECT_EQ(dl.payload(), "\x08\xff\xff not protobuf");
  EXPECT_NE(dl.reason().find("not a CallEvent"), std::string::npos) << dl.reason();
  EXPECT_EQ(node->metrics().dead_letters.load(), 1u);
}

}  // namespace
}  // namespace ivrcast
