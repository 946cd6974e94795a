#include <gtest/gtest.h>

#include "messages/text.hpp"
#include "metrics/health.hpp"
#include "metrics/json_log.hpp"
#include "metrics/latency_histogram.hpp"
#include "metrics/registry.hpp"

#include <nlohmann/json.hpp>

namespace ivrcast::metrics {
namespace {

TEST(MetricsTest, HistogramBucketsAreCumulativeWithSumAndCountInSeconds) {
  latency_histogram h;
  for (int64_t ms : {0, 1, 3, 3, 15, 70, 40000, -5})  // -5: clocks a little apart count as 0
    h.observe_ms(ms);
  auto s = h.read();
  EXPECT_EQ(s.count(), 8u);
  EXPECT_DOUBLE_EQ(s.sum_s, (0 + 1 + 3 + 3 + 15 + 70 + 40000) / 1000.0);
  // le: 0.001 0.0025 0.005 0.01 0.02 0.05 0.1 ... 30, +Inf
  EXPECT_EQ(s.cumulative[0], 3u);  // 0, 1, -5
  EXPECT_EQ(s.cumulative[1], 3u);
  EXPECT_EQ(s.cumulative[2], 5u);   // 3, 3
  EXPECT_EQ(s.cumulative[4], 6u);   // 15
  EXPECT_EQ(s.cumulative[6], 7u);   // 70
  EXPECT_EQ(s.cumulative[13], 7u);  // 30 s
  EXPECT_EQ(s.cumulative[14], 8u);  // +Inf: 40 s
}

TEST(MetricsTest, TextFormatHoldsCountersAndCollectedSamplesGroupedByFamily) {
  registry r;
  auto c = r.get_counter("ivrcast_things_total", "Things", {{"kind", "a"}});
  c.inc();
  c.inc(2);
  r.get_counter("ivrcast_things_total", "Things", {{"kind", "b"}}).inc();
  EXPECT_EQ(c.value(), 3);
  latency_histogram h;
  h.observe_ms(4);
  r.add([&](scrape& s) {
    s.gauge("ivrcast_level", "A level", {{"carrier", "au"}}, 2);
    s.counter("ivrcast_done_total", "Done", {}, 7);
    s.gauge("ivrcast_level", "A level", {{"carrier", "docomo"}}, 5);
    s.histogram("ivrcast_wait_seconds", "Waits", {}, h);
  });
  auto text = r.text();
  for (const char* line :
       {"# TYPE ivrcast_things_total counter", "ivrcast_things_total{kind=\"a\"} 3\n",
        "ivrcast_things_total{kind=\"b\"} 1\n", "# TYPE ivrcast_level gauge",
        "ivrcast_level{carrier=\"au\"} 2\n", "ivrcast_level{carrier=\"docomo\"} 5\n",
        "ivrcast_done_total 7\n", "# TYPE ivrcast_wait_seconds histogram",
        "ivrcast_wait_seconds_bucket{le=\"0.0025\"} 0\n",
        "ivrcast_wait_seconds_bucket{le=\"0.005\"} 1\n",
        "ivrcast_wait_seconds_bucket{le=\"+Inf\"} 1\n", "ivrcast_wait_seconds_count 1\n"})
    EXPECT_NE(text.find(line), std::string::npos) << line << " not in:\n" << text;
  // One family header per name, however many collectors wrote to it.
  EXPECT_EQ(text.find("# TYPE ivrcast_level"), text.rfind("# TYPE ivrcast_level"));
}

struct readiness_case {
  const char* name;
  readiness_input in;
  const char* status;
  std::vector<std::string> failing;
};

readiness_input all_well() {
  readiness_input in;
  in.kafka_reachable = in.calls_joined = in.sms_joined = true;
  in.control_caught_up = in.counts_caught_up = in.log_caught_up = true;
  in.carriers = {{"au", 2, 2}, {"docomo", 1, 1}};
  return in;
}

TEST(MetricsTest, ReadinessByTable) {
  std::vector<readiness_case> cases;
  cases.push_back({"all well", all_well(), "ready", {}});
  {
    auto in = all_well();
    in.carriers[1].bound = 0;
    cases.push_back({"a carrier's held binds all down", in, "degraded", {"carrier:docomo"}});
  }
  {
    auto in = all_well();
    in.carriers[0].bound = 1;
    cases.push_back({"one of two binds down is not down", in, "ready", {}});
  }
  {
    auto in = all_well();
    in.carriers[1] = {"docomo", 0, 0};
    cases.push_back({"no slot held here: not judged here", in, "ready", {}});
  }
  {
    auto in = all_well();
    in.kafka_reachable = false;
    in.kafka_error = "all brokers down";
    in.carriers[0].bound = 0;
    cases.push_back({"kafka down outranks a carrier", in, "not_ready", {"kafka", "carrier:au"}});
  }
  {
    auto in = all_well();
    in.sms_joined = false;
    cases.push_back({"sms group not joined", in, "not_ready", {"sms_group"}});
  }
  {
    auto in = all_well();
    in.calls_joined = false;
    in.log_caught_up = false;
    cases.push_back({"calls group and log", in, "not_ready", {"calls_group", "delivery_log"}});
  }
  {
    auto in = all_well();
    in.counts_caught_up = in.control_caught_up = false;
    cases.push_back({"projections reading", in, "not_ready", {"control_state", "call_counts"}});
  }
  for (const auto& c : cases) {
    auto r = evaluate(c.in);
    EXPECT_EQ(r.status, c.status) << c.name;
    EXPECT_EQ(r.failing, c.failing) << c.name;
    EXPECT_EQ(r.ready(), std::string{c.status} == "ready") << c.name;
    EXPECT_NE(r.json().find("\"status\":\"" + std::string{c.status} + "\""), std::string::npos)
        << c.name;
  }
}

TEST(MetricsTest, JsonLogLinesCarryTheKeyValuePairsAsFields) {
  struct row {
    std::string_view message;
    std::string json;
  };
  const std::string head = R"({"ts":"2026-12-05T19:03:45.007Z","level":"warn","logger":"actors",)";
  std::vector<row> rows{
      {"event=sms_in_doubt carrier=au part=2 reason=\"no submit_sm_resp in time\"",
       head +
           R"("event":"sms_in_doubt","carrier":"au","part":2,"reason":"no submit_sm_resp in time"})"},
      {R"(event=x quoted="a \"b\" c" n=-3 phone=09012345678 zero=0)",
       head + R"("event":"x","quoted":"a \"b\" c","n":-3,"phone":"09012345678","zero":0})"},
      {"free text, not key=value", head + R"("msg":"free text, not key=value"})"},
      {"event=x reason=\"never closed", head + R"("msg":"event=x reason=\"never closed"})"},
      {"level=error event=y", head + R"("event":"y"})"},  // never overrides the line's own
      {"event=z bytes=\xff\xfe", head + "\"event\":\"z\",\"bytes\":\"\uFFFD\uFFFD\"}"},
  };
  for (const auto& r : rows)
    EXPECT_EQ(json_log_line(1796497425007, "warn", "actors", r.message), r.json) << r.message;
}

TEST(MetricsTest, TextAClientSentCannotForgeALogLine) {
  const std::string forged = "x\" what=login_ok\nevent=audit what=admin \\ \r\t\x01";
  auto escaped = log_escaped(forged);
  EXPECT_EQ(escaped.find('\n'), std::string::npos);
  EXPECT_EQ(escaped.find('\r'), std::string::npos);
  EXPECT_EQ(escaped, "x\\\" what=login_ok\\nevent=audit what=admin \\\\ \\r\\t\\x01");
  // The text line holds one quoted field; the JSON line gives the text back as it was sent.
  auto line = json_log_line(0, "info", "control", "event=audit detail=\"" + escaped + "\"");
  EXPECT_EQ(line.find('\n'), std::string::npos);
  auto j = nlohmann::json::parse(line);
  EXPECT_EQ(j["event"], "audit");
  EXPECT_EQ(j["detail"], forged);
}

}  // namespace
}  // namespace ivrcast::metrics
