// On a real broker: `ivrcast gateway` in its own process is killed (SIGKILL) during a call and
// started again; the call it had open must end at the node as NETWORK_ERROR instead of waiting
// for events that will never come.
#include <gtest/gtest.h>

#include <fstream>
#include <thread>

#include "actors/node.hpp"
#include "actors/prompt_speech.hpp"
#include "connectors/control/flow_file.hpp"
#include "connectors/kafka/bus.hpp"
#include "connectors/kafka/consumer.hpp"
#include "messages/gateway.pb.h"
#include "tests/support/child_process.hpp"
#include "tests/support/sip_support.hpp"
#include "tests/support/test_support.hpp"
#include "tests/support/topic_copy.hpp"

namespace ivrcast {
namespace {

namespace kafka = connectors::kafka;

/// `ivrcast gateway --config <file>` as its own process.
class gateway_process {
 public:
  gateway_process(std::string config, std::string log)
      : config_(std::move(config)), log_(std::move(log)) {}

  void start() {
    ASSERT_TRUE(proc_.start({IVRCAST_BINARY, "gateway", "--config", config_}, log_, log_));
  }
  void kill_now(int sig) { proc_.kill_now(sig); }
  std::string log() const { return test::read_file(log_); }

  /// How often `text` occurs in the process's log so far.
  size_t log_count(const std::string& text) const {
    auto all = log();
    size_t n = 0;
    for (auto at = all.find(text); at != std::string::npos; at = all.find(text, at + 1))
      ++n;
    return n;
  }

 private:
  std::string config_;
  std::string log_;
  test::child_process proc_;
};

TEST(GatewayRestartTest, CallsOpenWhenKilledEndAsNetworkErrorAfterRestart) {
  test::temp_dir dir;
  auto s = test::settings_for("GatewayRestart", dir.path() + "/node");
  ASSERT_FALSE(s.kafka.brokers.empty()) << "a broker test: IVRCAST_TEST_BROKERS must be set";
  auto http_port = test::free_port();
  s.http.listen = "127.0.0.1:" + std::to_string(http_port);
  s.http.public_url = "http://127.0.0.1:" + std::to_string(http_port);
  auto b = kafka::bus::open(s.kafka);
  ASSERT_OK(b);
  std::shared_ptr<kafka::bus> bus = std::move(*b);
  ASSERT_OK(actors::render_fixed_prompts(*bus, s));
  ASSERT_OK(actors::publish_flow_file(IVRCAST_SOURCE_DIR "/config/flows.example.json", *bus, s));
  auto n = actors::node::start(s, bus);
  ASSERT_OK(n);
  auto node = std::move(*n);
  ASSERT_TRUE(test::eventually([&] { return node->owned_partitions() > 0; }));
  test::topic_copy events;
  auto reader =
      kafka::partition_reader::open(*bus, bus->topic(topics::call_events), "test-reader", events);
  ASSERT_OK(reader);
  (*reader)->start();

  int sip_port = test::free_port();
  auto config = dir.path() + "/gateway.conf";
  {
    std::ofstream out{config};
    out << "node.log_level = info\nkafka.brokers = " << s.kafka.brokers
        << "\nkafka.topic_prefix = " << s.kafka.topic_prefix
        << "\ngateway.id = gw-restart\ngateway.sip_listen = 127.0.0.1:" << sip_port
        << "\ngateway.rtp_ports = 21000-21999\ngateway.rtp_timeout_s = 0\ngateway.state_dir = "
        << dir.path() << "/gateway\n";
  }
  gateway_process gw{config, dir.path() + "/gateway.log"};
  gw.start();
  ASSERT_TRUE(test::eventually([&] { return gw.log_count("event=gateway_started") == 1; }));

  // A landline caller listening to the guidance when the gateway dies.
  std::string sipp_log;
  std::thread caller{[&] {
    test::run_sipp(test::sipp_scenario{"0312340030"}.call().pause(15000).bye(), "05011110001",
                   "127.0.0.1:" + std::to_string(sip_port), test::free_port(), 16400, dir.path(),
                   sipp_log, 20);
  }};
  std::string call_id;
  ASSERT_TRUE(test::eventually([&] {
    for (const auto& v : events.values()) {
      wire::CallEvent e;
      if (e.ParseFromString(v) && e.has_started() && e.started().calling() == "0312340030")
        call_id = e.call_id();
    }
    return !call_id.empty() && node->metrics().live_sessions.load() == 1;
  }));

  gw.kill_now(SIGKILL);
  gw.start();
  auto ended = [&] {
    for (const auto& v : events.values()) {
      wire::CallEvent e;
      if (e.ParseFromString(v) && e.call_id() == call_id && e.has_ended())
        return e.ended().reason();
    }
    return wire::END_REASON_UNSPECIFIED;
  };
  EXPECT_TRUE(test::eventually([&] { return ended() != wire::END_REASON_UNSPECIFIED; }));
  EXPECT_EQ(ended(), wire::END_REASON_NETWORK_ERROR);
  EXPECT_TRUE(test::eventually([&] { return node->metrics().live_sessions.load() == 0; }))
      << "the node still holds the call's session";
  EXPECT_TRUE(test::eventually([&] {
    return gw.log_count("event=calls_of_previous_run_ended count=1") == 1;
  })) << gw.log();
  EXPECT_TRUE(test::eventually([&] { return gw.log_count("event=gateway_started") == 2; }));
  caller.join();
  gw.kill_now(SIGTERM);
  (*reader)->stop();
  node->stop();
}

}  // namespace
}  // namespace ivrcast
