// Three node processes on the real broker take simulated calls at a steady rate while one is
// killed (SIGKILL), the other two are restarted one after the other (SIGTERM, a rolling
// restart) and the broker restarts on its data. Every call completes its flow, every SMS reaches
// its simulated SMSC exactly once, and the longest silence a caller heard (event → next command)
// across it is printed.
#include <gtest/gtest.h>

#include <signal.h>

#include <algorithm>
#include <map>

#include "connectors/control/flow_file.hpp"
#include "connectors/kafka/bus.hpp"
#include "messages/clock.hpp"
#include "storage/call_counts.hpp"
#include "storage/database.hpp"
#include "tests/support/node_process.hpp"
#include "tests/support/sms_support.hpp"
#include "tests/support/test_support.hpp"
#include "tools/gateway_sim/gateway_sim.hpp"

namespace ivrcast {
namespace {

/// Waits until the simulator has placed `more` calls since `from` (the nodes keep answering).
void let_calls_run(const tools::gateway_sim& sim, uint64_t from, uint64_t more) {
  EXPECT_TRUE(test::eventually([&] { return sim.report().started >= from + more; },
                               std::chrono::seconds{120}));
}

TEST(FailoverTest, ThreeNodesLoseNoCallNorSmsAcrossAKillAndARollingRestart) {
  ASSERT_NE(std::getenv("IVRCAST_TEST_BROKERS"), nullptr) << "runs on the real broker only";
  test::temp_dir dir;
  auto s = test::settings_for("Failover", dir.path());
  // A dead node's partitions move after this; the broker allows it (kafka.sh:
  // group.min.session.timeout.ms=1000).
  s.kafka.session_timeout_ms = 3000;
  s.flows.file.clear();  // published once below, not by every node
  auto carriers = test::start_carriers(s, 50);
  auto b = connectors::kafka::bus::open(s.kafka);
  ASSERT_OK(b);
  auto flows =
      connectors::control::publish_file(IVRCAST_SOURCE_DIR "/config/flows.example.json", **b);
  ASSERT_OK(flows);

  std::vector<std::unique_ptr<test::node_process>> nodes;
  std::vector<config::settings> node_settings;
  for (int i = 0; i < 3; ++i) {
    auto n = s;
    n.node.id = "failover-" + std::to_string(i);
    n.node.data_dir = dir.path() + "/" + n.node.id;
    auto config = dir.path() + "/" + n.node.id + ".conf";
    test::write_node_config(n, config);
    nodes.push_back(std::make_unique<test::node_process>(config, n.node.data_dir + ".log"));
    nodes.back()->start();
    node_settings.push_back(n);
  }

  constexpr double rate = 40;
  constexpr uint64_t total = 4000;  // 100 s of calls
  tools::sim_options o;
  o.total_calls = total;
  o.calls_per_second = rate;
  o.mix = *tools::parse_mix(s.demo.mix);
  auto t_start = unix_now_ms();
  auto sim = tools::gateway_sim::start(**b, o, tools::targets_from(*flows));
  ASSERT_OK(sim);
  auto& gw = **sim;
  // Steady: the three nodes share the calls.
  ASSERT_TRUE(
      test::eventually([&] { return gw.report().finished >= 200; }, std::chrono::seconds{120}));
  auto before = gw.report();

  nodes[0]->kill_now(SIGKILL);
  let_calls_run(gw, before.started, 600);  // 15 s of calls on two nodes
  for (size_t i = 1; i < 3; ++i) {         // rolling restart of the other two
    nodes[i]->kill_now(SIGTERM);
    nodes[i]->start();
    let_calls_run(gw, gw.report().started, 400);
  }
  nodes[0]->start();  // back on its disk
  let_calls_run(gw, gw.report().started, 200);
  auto after_nodes = gw.report();  // the kill and the rolling restart, before the broker's
  // The broker restarts on its data (a rolling broker upgrade; with one broker, an outage).
  if (const char* broker_dir = std::getenv("IVRCAST_TEST_BROKER_DIR")) {
    test::child_process restart;
    ASSERT_TRUE(
        restart.start({IVRCAST_SOURCE_DIR "/deploy/kafka/kafka.sh", "restart", "--dir", broker_dir},
                      "/dev/null", "/dev/null"));
    ASSERT_EQ(restart.wait(std::chrono::seconds{180}), 0) << "kafka.sh restart";
    let_calls_run(gw, gw.report().started, 200);
  }
  ASSERT_TRUE(test::eventually([&] { return gw.all_done(); }, std::chrono::seconds{300}))
      << gw.report().finished << " of " << total << " calls finished";
  auto report = gw.report();
  auto problems = gw.problems();
  EXPECT_TRUE(problems.empty()) << problems.size()
                                << " calls went wrong, first: " << problems.front();
  EXPECT_EQ(report.unexpected, 0u);
  EXPECT_EQ(report.finished, total);

  // Every SMS the callers asked for reached its carrier exactly once.
  auto expected = gw.expected_jobs();
  ASSERT_TRUE(test::eventually(
      [&] {
        return std::all_of(expected.begin(), expected.end(), [&](const tools::expected_sms& j) {
          size_t n = 0;
          for (const auto& c : carriers)
            n += c->submits_to(j.destination);
          return n > 0;
        });
      },
      std::chrono::seconds{240}));
  // Each reached its carrier (a long body in several parts), and no part twice.
  for (const auto& j : expected) {
    size_t n = 0;
    for (const auto& c : carriers)
      n += c->submits_to(j.destination);
    ASSERT_GE(n, 1u) << j.call_id << " to " << j.destination;
  }
  uint64_t parts = 0;
  for (const auto& j : expected)
    for (const auto& f : flows->flows)
      if (f.version_id() == j.flow_version) {
        messages::sms_job job;
        job.job = job_id{j.flow_version + "-" + j.call_id};
        job.destination = j.destination;
        job.sender_id = f.sms().sender_id();
        job.body = f.sms().body();
        job.short_urls = f.sms().short_urls();
        parts += static_cast<uint64_t>(test::expected_parts(job));
      }
  uint64_t submits = 0;
  for (const auto& c : carriers) {
    EXPECT_EQ(c->counts().duplicates, 0u);
    submits += c->counts().submits;
  }
  EXPECT_EQ(submits, parts) << "every part of every SMS, once";

  // Every node's delivery log holds every SMS, final, whichever node sent it.
  auto from = t_start - 60 * 1000;
  auto to = unix_now_ms() + 3600 * 1000;
  for (const auto& ns : node_settings) {
    EXPECT_TRUE(
        test::eventually([&] { return test::final_rows_on_disk(ns, from, to) == expected.size(); },
                         std::chrono::seconds{120}))
        << ns.node.id << ": " << test::final_rows_on_disk(ns, from, to) << " of " << expected.size()
        << " rows final";
  }

  // Every node counts every call once, whichever node took it.
  for (auto& n : nodes)
    n->kill_now(SIGTERM);
  for (const auto& ns : node_settings) {
    auto db = storage::database::open_read_only(ns.node.data_dir);
    ASSERT_OK(db);
    storage::call_counts counts{*db};
    auto totals = counts.totals();
    ASSERT_OK(totals);
    EXPECT_EQ(*totals, report.by_number) << ns.node.id;
  }
  std::printf(
      "failover: %llu calls at %.0f/s over 3 nodes, session timeout %d ms; event→command p50 "
      "%.1f ms; longest silence a caller heard: %.0f ms before the kill (steady), %.0f ms "
      "through the SIGKILL and the rolling restart, %.0f ms through the broker restart (one "
      "broker: an outage); %zu SMS, every part once\n",
      static_cast<unsigned long long>(report.finished), rate, s.kafka.session_timeout_ms,
      report.latency_p50_ms, before.latency_max_ms, after_nodes.latency_max_ms,
      report.latency_max_ms, expected.size());
}

}  // namespace
}  // namespace ivrcast
