// The operator's command line against a real broker: dead letters listed and replayed by
// `ivrcast deadletters`, and `ivrcast admin` printing the API's JSON alone.

#include <gtest/gtest.h>

#include <cstdlib>
#include <sstream>

#include <nlohmann/json.hpp>

#include "actors/node.hpp"
#include "actors/sms_service.hpp"
#include "connectors/kafka/bus.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/sms_support.hpp"
#include "tests/support/test_support.hpp"

namespace ivrcast {
namespace {

namespace kafka = connectors::kafka;
using json = nlohmann::json;

/// Runs `ivrcast args...` to the end; its exit code, and its standard output in `out`.
int run_cli(const std::string& dir, const std::vector<std::string>& args, std::string& out) {
  std::vector<std::string> argv{IVRCAST_BINARY};
  argv.insert(argv.end(), args.begin(), args.end());
  static int runs = 0;
  auto base = dir + "/cli-" + std::to_string(++runs);  // output files are appended to
  test::child_process p;
  if (!p.start(argv, base + ".out", base + ".err"))
    return -1;
  auto rc = p.wait(std::chrono::seconds{90});
  out = test::read_file(base + ".out");
  if (rc != 0)
    ADD_FAILURE() << "exit " << rc << ": " << test::read_file(base + ".err");
  return rc;
}

TEST(OpsCliTest, DeadLettersAreListedAndReplayedAndAdminPrintsJsonAlone) {
  test::temp_dir dir;
  auto settings = test::settings_for("ops-cli", dir.path() + "/node");
  settings.http.listen = "127.0.0.1:0";
  settings.http.admin_token = "operator-secret-token-0123456789";
  auto b = kafka::bus::open(settings.kafka);
  ASSERT_OK(b);
  std::shared_ptr<kafka::bus> bus = std::move(*b);
  auto n = actors::node::start(settings, bus);
  ASSERT_OK(n);
  auto& node = **n;
  ASSERT_TRUE(test::eventually([&] { return node.sms().owned_partitions() > 0; }));
  test::produce_raw_job(*bus, "09011112222", "\xFF\x01 not a protobuf");
  ASSERT_TRUE(test::eventually([&] { return node.sms().metrics().dead_letters.load() == 1; }));

  // The CLI reads the same configuration a node would, from the environment here.
  ::setenv("IVRCAST_KAFKA_BROKERS", settings.kafka.brokers.c_str(), 1);
  ::setenv("IVRCAST_KAFKA_TOPIC_PREFIX", settings.kafka.topic_prefix.c_str(), 1);
  ::setenv("IVRCAST_HTTP_ADMIN_TOKEN", settings.http.admin_token.c_str(), 1);
  std::string out;
  ASSERT_EQ(run_cli(dir.path(), {"deadletters", "list", "--topic", "sms.jobs"}, out), 0);
  auto first = json::parse(out.substr(0, out.find('\n')), nullptr, false);
  ASSERT_FALSE(first.is_discarded()) << out;
  EXPECT_EQ(out.find('\n'), out.size() - 1) << "one dead letter, one line: " << out;
  EXPECT_EQ(first["source_topic"], settings.kafka.topic_prefix + "sms.jobs");
  EXPECT_EQ(first["key"], "09011112222");
  EXPECT_EQ(first["payload_bytes"], 17);
  EXPECT_FALSE(first["reason"].get<std::string>().empty());
  ASSERT_EQ(run_cli(dir.path(), {"deadletters", "list", "--topic", "calls.events"}, out), 0);
  EXPECT_EQ(out, "") << "none from another topic";

  // Put back on sms.jobs, the record is read (and refused) again.
  auto position = first["dead_letter"].get<std::string>();
  ASSERT_EQ(run_cli(dir.path(), {"deadletters", "replay", "--offset", position}, out), 0);
  EXPECT_EQ(json::parse(out)["dead_letter"], position);
  EXPECT_TRUE(test::eventually([&] { return node.sms().metrics().dead_letters.load() == 2; }));

  ASSERT_EQ(run_cli(dir.path(),
                    {"admin", "GET", "/v1/admin/accounts", "--url",
                     "http://127.0.0.1:" + std::to_string(node.http_port())},
                    out),
            0);
  auto answer = json::parse(out, nullptr, false);
  ASSERT_FALSE(answer.is_discarded()) << "stdout is the JSON alone: " << out;
  EXPECT_TRUE(answer.contains("accounts")) << out;
}

}  // namespace
}  // namespace ivrcast
