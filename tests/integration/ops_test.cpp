// What an operations team watches: Debian's Prometheus scraping a node under simulated load, and
// readiness following an SMSC (Net::SMPP, not ours) that stops and comes back.

#include <gtest/gtest.h>
#include <httplib.h>

#include <cmath>
#include <fstream>

#include <nlohmann/json.hpp>

#include "actors/node.hpp"
#include "actors/sms_service.hpp"
#include "connectors/control/flow_file.hpp"
#include "connectors/kafka/bus.hpp"
#include "sms/carrier.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/perl_smsc.hpp"
#include "tests/support/portal_support.hpp"
#include "tests/support/sms_support.hpp"
#include "tests/support/test_support.hpp"
#include "tools/gateway_sim/gateway_sim.hpp"

namespace ivrcast {
namespace {

namespace kafka = connectors::kafka;
using json = nlohmann::json;

/// Debian's Prometheus server scraping one target every 200 ms, with its own data directory.
class prometheus_server {
 public:
  prometheus_server(const std::string& dir, int target_port) : dir_(dir) {
    port_ = test::free_port();
    std::ofstream{dir + "/prometheus.yml"} << "global:\n"
                                              "  scrape_interval: 200ms\n"
                                              "  scrape_timeout: 200ms\n"
                                              "scrape_configs:\n"
                                              "  - job_name: ivrcast\n"
                                              "    static_configs:\n"
                                              "      - targets: ['127.0.0.1:"
                                           << target_port << "']\n";
    started_ = proc_.start({"prometheus", "--config.file=" + dir + "/prometheus.yml",
                            "--storage.tsdb.path=" + dir + "/data",
                            "--web.listen-address=127.0.0.1:" + std::to_string(port_)},
                           dir + "/prometheus.log", dir + "/prometheus.log");
  }

  bool started() const { return started_; }
  std::string log() const { return test::read_file(dir_ + "/prometheus.log"); }

  /// The value of an instant query that yields one sample; NaN if it yields none (yet).
  double query(const std::string& promql) const {
    httplib::Client cli{"127.0.0.1", port_};
    cli.set_connection_timeout(2);
    auto res = cli.Get("/api/v1/query", httplib::Params{{"query", promql}}, httplib::Headers{});
    if (!res || res->status != 200)
      return std::nan("");
    auto j = json::parse(res->body, nullptr, false);
    if (j.is_discarded() || j["status"] != "success" || j["data"]["result"].size() != 1)
      return std::nan("");
    return std::stod(j["data"]["result"][0]["value"][1].get<std::string>());
  }

  /// Whether the query reaches `want` before the deadline (Prometheus sees it a scrape later).
  bool reaches(const std::string& promql, double want) const {
    return test::eventually([&] { return query(promql) == want; }, std::chrono::seconds{60});
  }

 private:
  std::string dir_;
  int port_ = 0;
  bool started_ = false;
  test::child_process proc_;
};

TEST(OpsTest, PrometheusScrapesCallSmsAndLagSeriesThatMatchTheSimulators) {
  test::temp_dir dir;
  auto settings = test::settings_for("ops-prometheus", dir.path() + "/node");
  settings.http.listen = "127.0.0.1:0";
  auto carriers = test::start_carriers(settings);
  auto b = kafka::bus::open(settings.kafka);
  ASSERT_OK(b);
  std::shared_ptr<kafka::bus> bus = std::move(*b);
  auto flows =
      connectors::control::publish_file(IVRCAST_SOURCE_DIR "/config/flows.example.json", *bus);
  ASSERT_OK(flows);
  auto n = actors::node::start(settings, bus);
  ASSERT_OK(n);
  auto& node = **n;
  ASSERT_TRUE(test::eventually([&] { return node.owned_partitions() > 0; }));

  prometheus_server prom{dir.path(), node.http_port()};
  ASSERT_TRUE(prom.started()) << prom.log();
  ASSERT_TRUE(prom.reaches("up{job=\"ivrcast\"}", 1)) << prom.log();

  tools::sim_options o;
  o.total_calls = 300;
  o.calls_per_second = 150;
  o.mix = *tools::parse_mix(settings.demo.mix);
  auto sim = tools::gateway_sim::start(*bus, o, tools::targets_from(*flows));
  ASSERT_OK(sim);
  ASSERT_TRUE(test::eventually([&] { return (*sim)->all_done(); }, std::chrono::seconds{180}));
  auto report = (*sim)->report();
  ASSERT_EQ(report.finished, 300u);
  auto jobs = (*sim)->expected_jobs().size();
  // Every SMS the calls asked for is at its SMSC and final in the log.
  auto smsc_parts = [&] {
    uint64_t parts = 0;
    for (const auto& c : carriers)
      parts += c->counts().submits;
    return parts;
  };
  ASSERT_TRUE(test::eventually(
      [&] {
        return test::final_rows(node.sms().log(), 0, INT64_MAX) == jobs &&
               node.sms().metrics().finished == jobs;
      },
      std::chrono::seconds{120}));

  EXPECT_TRUE(prom.reaches("ivrcast_calls_started_total", static_cast<double>(report.started)));
  EXPECT_TRUE(prom.reaches("sum(ivrcast_calls_total)", static_cast<double>(report.finished)));
  for (const auto& [outcome, count] : report.outcomes)
    EXPECT_TRUE(prom.reaches("ivrcast_calls_total{outcome=\"" + outcome + "\"}",
                             static_cast<double>(count)))
        << outcome << ": " << prom.query("ivrcast_calls_total{outcome=\"" + outcome + "\"}");
  EXPECT_TRUE(prom.reaches("ivrcast_sms_requested_total", static_cast<double>(jobs)));
  // Each carrier's submits as its SMSC counted them, and every job ended as sent.
  for (size_t i = 0; i < carriers.size(); ++i) {
    auto name = std::string{sms::key(sms::all_carriers[i])};
    auto q = "ivrcast_sms_submits_total{carrier=\"" + name + "\"}";
    EXPECT_TRUE(prom.reaches(q, static_cast<double>(carriers[i]->counts().submits)))
        << q << " = " << prom.query(q) << ", SMSC: " << carriers[i]->counts().submits;
  }
  EXPECT_TRUE(prom.reaches("sum(ivrcast_sms_submits_total)", static_cast<double>(smsc_parts())));
  EXPECT_TRUE(prom.reaches("sum(ivrcast_sms_jobs_total)", static_cast<double>(jobs)));
  EXPECT_TRUE(prom.reaches("ivrcast_event_to_command_seconds_count",
                           static_cast<double>(node.metrics().commands.load())));
  // Nothing left unread: every reader's every partition, and one series per partition.
  EXPECT_TRUE(prom.reaches("sum(ivrcast_consumer_lag)", 0));
  EXPECT_TRUE(prom.reaches("count(ivrcast_consumer_lag{reader=\"calls\"})",
                           static_cast<double>(settings.kafka.partitions)));
  EXPECT_TRUE(prom.reaches("count(ivrcast_consumer_lag{reader=\"delivery_log\"})",
                           static_cast<double>(settings.kafka.partitions)));
  EXPECT_TRUE(prom.reaches("sum(ivrcast_live_sessions)", 0));
}

TEST(OpsTest, ReadyzNamesACarrierWhoseSmscStopsAndIsReadyAgainWhenItReturns) {
  auto smsc = std::make_unique<test::perl_smsc>("cluster_smsc.pl");
  ASSERT_TRUE(test::eventually([&] { return smsc->port() != 0; }, std::chrono::seconds{20}));
  auto port = smsc->port();
  test::temp_dir dir;
  auto settings = test::settings_for("ops-readyz", dir.path() + "/node");
  settings.http.listen = "127.0.0.1:0";
  auto& docomo = settings.sms.carriers[static_cast<size_t>(sms::carrier::docomo)];
  docomo.smsc = "127.0.0.1:" + std::to_string(port);
  auto b = kafka::bus::open(settings.kafka);
  ASSERT_OK(b);
  auto n = actors::node::start(settings, std::move(*b));
  ASSERT_OK(n);
  test::portal_client http{(*n)->http_port()};
  auto readiness = [&] {
    auto a = http.get("/readyz");
    return std::pair{a.status, a.body};
  };
  ASSERT_TRUE(test::eventually([&] { return readiness().first == 200; }, std::chrono::seconds{60}))
      << readiness().second.dump();
  EXPECT_EQ(readiness().second["status"], "ready");

  smsc.reset();  // the carrier's SMSC goes away
  ASSERT_TRUE(test::eventually([&] { return readiness().first == 503; }, std::chrono::seconds{60}));
  auto [status, body] = readiness();
  EXPECT_EQ(body["status"], "degraded") << body.dump();
  EXPECT_EQ(body["failing"], json::array({"carrier:docomo"})) << body.dump();
  auto core = http.get("/readyz?scope=core");
  EXPECT_EQ(core.status, 200) << "only a carrier is down: " << core.raw;
  EXPECT_EQ(core.body["status"], "degraded");
  auto alive = http.get("/healthz");
  EXPECT_EQ(alive.status, 200);
  EXPECT_EQ(alive.body["status"], "alive");

  test::perl_smsc back{"cluster_smsc.pl " + std::to_string(port)};
  ASSERT_TRUE(test::eventually([&] { return back.port() == port; }, std::chrono::seconds{20}));
  EXPECT_TRUE(test::eventually([&] { return readiness().first == 200; }, std::chrono::seconds{90}))
      << readiness().second.dump();
  EXPECT_GE(back.count("BIND "), 1);
}

}  // namespace
}  // namespace ivrcast
