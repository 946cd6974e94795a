#include "config/load.hpp"

#include <gtest/gtest.h>

#include <map>

#include "messages/errc.hpp"
#include "tests/support/test_support.hpp"

namespace ivrcast::config {
namespace {

const char* no_env(const char*) {
  return nullptr;
}

TEST(ConfigLoadTest, DefaultsAreTheEmbeddedClusterAndSpecValues) {
  auto s = parse("", "test", no_env);
  ASSERT_TRUE(s);
  EXPECT_TRUE(s->kafka.embedded());
  EXPECT_EQ(s->ivr.max_digits, 11);
  EXPECT_EQ(s->ivr.digit_timeout_ms, 10000);
  EXPECT_EQ(s->ivr.max_attempts, 3);
  EXPECT_EQ(s->abuse.max_sms, 3);
  EXPECT_EQ(s->abuse.window_s, 600);
  EXPECT_EQ(s->ivr.mobile_prefixes, (std::vector<std::string>{"070", "080", "090"}));
}

TEST(ConfigLoadTest, FileValuesAndLibrdkafkaPassThrough) {
  auto s = parse("# comment\nkafka.brokers = a:9092,b:9092\nkafka.producer.linger.ms = 7\n", "test",
                 no_env);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->kafka.brokers, "a:9092,b:9092");
  EXPECT_EQ(s->kafka.producer.at("linger.ms"), "7");
}

TEST(ConfigLoadTest, EnvironmentOverridesTheFile) {
  auto s = parse("kafka.brokers = a:1\n", "test", [](const char* k) -> const char* {
    return std::string_view{k} == "IVRCAST_KAFKA_BROKERS" ? "env:2" : nullptr;
  });
  ASSERT_TRUE(s);
  EXPECT_EQ(s->kafka.brokers, "env:2");
}

TEST(ConfigLoadTest, EveryBadKeyIsNamedWithItsRule) {
  auto s = parse(
      "nope = 1\nivr.max_attempts = 0\nkafka.brokers = nohost\nabuse.window_s = x\n"
      "garbage line\nivr.mobile_prefixes = 90\nkafka.session_timeout_ms = 2000\n",
      "f.conf", no_env);
  ASSERT_FALSE(s);
  auto text = describe(s.error());
  EXPECT_NE(text.find("f.conf:1: unknown key 'nope'"), std::string::npos) << text;
  EXPECT_NE(text.find("ivr.max_attempts = '0': must be an integer from 1 to 10"), std::string::npos)
      << text;
  EXPECT_NE(text.find("kafka.brokers"), std::string::npos) << text;
  EXPECT_NE(text.find("abuse.window_s"), std::string::npos) << text;
  EXPECT_NE(text.find("f.conf:5: expected 'key = value'"), std::string::npos) << text;
  EXPECT_NE(text.find("ivr.mobile_prefixes"), std::string::npos) << text;
  EXPECT_NE(
      text.find("kafka.session_timeout_ms = 2000: the embedded cluster refuses less than 6000"),
      std::string::npos)
      << text;
}

TEST(ConfigLoadTest, BadEnvironmentValueIsNamed) {
  auto s = parse("", "test", [](const char* k) -> const char* {
    return std::string_view{k} == "IVRCAST_IVR_MAX_DIGITS" ? "3" : nullptr;
  });
  ASSERT_FALSE(s);
  EXPECT_NE(describe(s.error()).find("environment IVRCAST_IVR_MAX_DIGITS"), std::string::npos);
}

TEST(ConfigLoadTest, KafkaPassthroughKeysComeFromTheEnvironmentToo) {
  std::map<std::string, std::string> env{
      {"IVRCAST_KAFKA_PRODUCER_SASL_PASSWORD", "s3cret"},
      {"IVRCAST_KAFKA_CONSUMER_SECURITY_PROTOCOL", "SASL_SSL"},
      {"IVRCAST_KAFKA_PRODUCER_LINGER_MS", " 9 "},
      {"IVRCAST_KAFKA_CREATE_TOPICS", "false"},
      {"OTHER_KAFKA_PRODUCER_ACKS", "0"},
  };
  auto lookup = [&](const char* k) -> const char* {
    auto it = env.find(k);
    return it == env.end() ? nullptr : it->second.c_str();
  };
  auto names = [&] {
    std::vector<std::string> out;
    for (const auto& [k, v] : env)
      out.push_back(k);
    return out;
  };
  auto s = parse("kafka.producer.linger.ms = 7\n", "test", lookup, names);
  ASSERT_OK(s);
  EXPECT_EQ(s->kafka.producer.at("sasl.password"), "s3cret");
  EXPECT_EQ(s->kafka.producer.at("linger.ms"), "9") << "the environment wins over the file";
  EXPECT_EQ(s->kafka.consumer.at("security.protocol"), "SASL_SSL");
  EXPECT_FALSE(s->kafka.producer.contains("acks"));
  EXPECT_FALSE(s->kafka.create_topics);
  EXPECT_EQ(s->kafka.retention_ms, (s->sms.retention_days + 1) * 24LL * 3600 * 1000);

  env = {{"IVRCAST_KAFKA_PRODUCER_", "x"}};
  auto bad = parse("", "test", lookup, names);
  ASSERT_FALSE(bad);
  EXPECT_NE(describe(bad.error()).find("environment IVRCAST_KAFKA_PRODUCER_"), std::string::npos)
      << describe(bad.error());
}

TEST(ConfigLoadTest, ReferenceListsEveryKey) {
  auto ref = reference();
  for (auto key : {"kafka.brokers", "ivr.max_call_duration_s", "abuse.max_sms", "flows.file"})
    EXPECT_NE(ref.find(key), std::string::npos) << key;
}

TEST(ConfigLoadTest, GatewayKeysAreParsedWithoutThrowing) {
  struct gateway_case {
    const char* line;
    const char* problem;  // nullptr: accepted
  };
  const gateway_case cases[] = {
      {"gateway.sip_listen = 0.0.0.0:5080", nullptr},
      {"gateway.sip_listen = host:", "gateway.sip_listen = 'host:': must be host:port"},
      {"gateway.sip_listen = :5060", "must be host:port"},
      {"gateway.sip_listen = h:99999", "must be host:port"},
      {"gateway.sip_listen = h:50x", "must be host:port"},
      {"gateway.rtp_ports = 30000-30100", nullptr},
      {"gateway.rtp_ports = 30000", "gateway.rtp_ports = '30000': must be LOW-HIGH"},
      {"gateway.rtp_ports = 100-200", "must be LOW-HIGH"},
      {"gateway.rtp_ports = 30001-30002", "must be LOW-HIGH"},
      {"gateway.id = gw 1", "gateway.id = 'gw 1': must be 1-128 printable ASCII"},
      {"gateway.realtime_priority = 100", "must be an integer from 0 to 99"},
      {"gateway.first_command_ms = 100", "must be an integer from 500 to 60000"},
      // An SMSC address is checked here, never by a throwing conversion at start.
      {"sms.au.smsc = smsc.example.jp:2775", nullptr},
      {"sms.au.smsc = ", nullptr},
      {"sms.au.smsc = host:", "sms.au.smsc = 'host:': must be empty or host:port"},
      {"sms.docomo.smsc = host:99999", "must be empty or host:port"},
      {"sms.softbank.smsc = :2775", "must be empty or host:port"},
      {"sms.rakuten.smsc = host:27x5", "must be empty or host:port"},
  };
  for (const auto& tc : cases) {
    SCOPED_TRACE(tc.line);
    auto s = parse(tc.line, "f.conf", no_env);
    if (!tc.problem) {
      EXPECT_TRUE(s) << describe(s.error());
    } else {
      ASSERT_FALSE(s);
      EXPECT_NE(describe(s.error()).find(tc.problem), std::string::npos) << describe(s.error());
    }
  }
  auto s =
      parse("gateway.sip_listen = 10.0.0.1:5080\ngateway.rtp_ports = 30000-30100\n", "f", no_env);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->gateway.sip_host, "10.0.0.1");
  EXPECT_EQ(s->gateway.sip_port, 5080);
  EXPECT_EQ(s->gateway.rtp_port_min, 30000);
  EXPECT_EQ(s->gateway.rtp_port_max, 30100);
}

}  // namespace
}  // namespace ivrcast::config
