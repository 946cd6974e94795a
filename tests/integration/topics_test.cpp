// Topic set-up on a real cluster: created with the retention of what they rebuild, or only
// checked where the operator creates them. The embedded cluster has no admin API: broker only.

#include <gtest/gtest.h>

#include <librdkafka/rdkafka.h>

#include "connectors/kafka/bus.hpp"
#include "messages/topics.hpp"
#include "tests/support/test_support.hpp"

namespace ivrcast {
namespace {

namespace kafka = connectors::kafka;

/// A topic's configuration value as the broker reports it ("" if it could not be read).
std::string topic_config(const std::string& brokers, const std::string& topic,
                         const std::string& name) {
  char errstr[512];
  auto* conf = rd_kafka_conf_new();
  if (rd_kafka_conf_set(conf, "bootstrap.servers", brokers.c_str(), errstr, sizeof errstr) !=
      RD_KAFKA_CONF_OK)
    return {};
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
  if (!rk)
    return {};
  auto* res = rd_kafka_ConfigResource_new(RD_KAFKA_RESOURCE_TOPIC, topic.c_str());
  auto* q = rd_kafka_queue_new(rk);
  rd_kafka_DescribeConfigs(rk, &res, 1, nullptr, q);
  std::string out;
  if (auto* ev = rd_kafka_queue_poll(q, 30000)) {
    if (const auto* r = rd_kafka_event_DescribeConfigs_result(ev)) {
      size_t n = 0;
      const auto** rs = rd_kafka_DescribeConfigs_result_resources(r, &n);
      for (size_t i = 0; i < n; ++i) {
        size_t m = 0;
        const auto** entries = rd_kafka_ConfigResource_configs(rs[i], &m);
        for (size_t j = 0; j < m; ++j)
          if (name == rd_kafka_ConfigEntry_name(entries[j]) &&
              rd_kafka_ConfigEntry_value(entries[j]))
            out = rd_kafka_ConfigEntry_value(entries[j]);
      }
    }
    rd_kafka_event_destroy(ev);
  }
  rd_kafka_ConfigResource_destroy(res);
  rd_kafka_queue_destroy(q);
  rd_kafka_destroy(rk);
  return out;
}

TEST(TopicsTest, CreatedWithTheRetentionOfWhatTheyRebuildOrCheckedWhenCreationIsOff) {
  test::temp_dir dir;
  auto s = test::settings_for("topics", dir.path());
  if (s.kafka.embedded())
    GTEST_SKIP() << "the embedded cluster has no admin API: a broker test";
  s.kafka.create_topics = false;
  auto refused = kafka::bus::open(s.kafka);
  ASSERT_FALSE(refused) << "no topics yet and creation is off";
  auto why = describe(refused.error());
  EXPECT_NE(
      why.find("'" + topics::name(s.kafka.topic_prefix, topics::call_events) + "' does not exist"),
      std::string::npos)
      << why;

  s.kafka.create_topics = true;
  ASSERT_OK(kafka::bus::open(s.kafka));
  auto retention = std::to_string(s.kafka.retention_ms);
  for (const auto& t : topics::all) {
    auto name = topics::name(s.kafka.topic_prefix, t);
    SCOPED_TRACE(name);
    if (t.long_retention) {
      EXPECT_EQ(topic_config(s.kafka.brokers, name, "retention.ms"), retention);
    }
    if (t.compacted) {
      EXPECT_EQ(topic_config(s.kafka.brokers, name, "cleanup.policy"), "compact");
    }
  }
  // 3 months and a day: a node rebuilt from the topics gets the whole delivery log back.
  EXPECT_GE(s.kafka.retention_ms, int64_t{91} * 24 * 3600 * 1000);

  s.kafka.create_topics = false;
  // Existing topics are only checked.
  ASSERT_OK(kafka::bus::open(s.kafka));
}

}  // namespace
}  // namespace ivrcast
