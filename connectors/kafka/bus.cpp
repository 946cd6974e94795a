#include "connectors/kafka/bus.hpp"

#include <librdkafka/rdkafka.h>

#include <map>
#include <memory>

#include "connectors/kafka/client_conf.hpp"
#include "connectors/kafka/embedded_cluster.hpp"
#include "connectors/kafka/errors.hpp"
#include "connectors/log.hpp"
#include "messages/errc.hpp"

namespace ivrcast::connectors::kafka {
namespace {

/// The admin client's configuration: the brokers and the producer's security keys, so that a
/// SASL/SSL cluster accepts it as it accepts the producers and consumers.
caf::expected<rd_kafka_conf_t*> admin_conf(const config::kafka_settings& s) {
  std::map<std::string, std::string> security;
  for (const auto* side : {&s.consumer, &s.producer})
    for (const auto& [k, v] : *side)
      if (k.starts_with("security.") || k.starts_with("sasl.") || k.starts_with("ssl."))
        security[k] = v;
  return make_conf({{"bootstrap.servers", s.brokers}}, security, "admin");
}

struct destroy_handle {
  void operator()(rd_kafka_t* rk) const { rd_kafka_destroy(rk); }
};
using admin_client = std::unique_ptr<rd_kafka_t, destroy_handle>;

caf::expected<admin_client> open_admin(const config::kafka_settings& s) {
  auto conf = admin_conf(s);
  if (!conf)
    return std::move(conf.error());
  char errstr[512];
  admin_client out{rd_kafka_new(RD_KAFKA_PRODUCER, *conf, errstr, sizeof errstr)};
  if (!out) {
    rd_kafka_conf_destroy(*conf);
    return setup_error("bus.admin", errstr);
  }
  return out;
}

/// Creates our topics on a real cluster with the admin API; existing ones are left alone.
caf::expected<void> create_topics(const config::kafka_settings& s, rd_kafka_t* rk) {
  char errstr[512];
  std::vector<rd_kafka_NewTopic_t*> news;
  auto retention = std::to_string(s.retention_ms);
  for (const auto& t : topics::all) {
    auto name = topics::name(s.topic_prefix, t);
    auto* nt = rd_kafka_NewTopic_new(name.c_str(), t.single_partition ? 1 : s.partitions,
                                     s.replication_factor, errstr, sizeof errstr);
    // ignored: literal valid settings
    if (t.compacted)
      (void)rd_kafka_NewTopic_set_config(nt, "cleanup.policy", "compact");
    if (t.long_retention)
      (void)rd_kafka_NewTopic_set_config(nt, "retention.ms", retention.c_str());
    news.push_back(nt);
  }
  rd_kafka_queue_t* q = rd_kafka_queue_new(rk);
  rd_kafka_CreateTopics(rk, news.data(), news.size(), nullptr, q);
  caf::expected<void> result{};
  rd_kafka_event_t* ev = rd_kafka_queue_poll(q, 30000);
  if (!ev) {
    result = caf::make_error(errc::timeout, "bus.create_topics", "no answer in 30 s");
  } else {
    size_t n = 0;
    const auto* res = rd_kafka_event_CreateTopics_result(ev);
    const auto** topics_res = res ? rd_kafka_CreateTopics_result_topics(res, &n) : nullptr;
    if (!res)
      result = kafka_error(rd_kafka_event_error(ev), "bus.create_topics");
    for (size_t i = 0; i < n; ++i) {
      auto err = rd_kafka_topic_result_error(topics_res[i]);
      if (err != RD_KAFKA_RESP_ERR_NO_ERROR && err != RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS) {
        result = setup_error("bus.create_topics",
                             std::string{rd_kafka_topic_result_name(topics_res[i])} + ": " +
                                 rd_kafka_topic_result_error_string(topics_res[i]));
        break;
      }
    }
    rd_kafka_event_destroy(ev);
  }
  rd_kafka_NewTopic_destroy_array(news.data(), news.size());
  rd_kafka_queue_destroy(q);
  return result;
}

/// Checks that every topic exists with a usable partition count; names the first that does
/// not.
caf::expected<void> check_topics(const config::kafka_settings& s, rd_kafka_t* rk) {
  const rd_kafka_metadata_t* md = nullptr;
  if (auto err = rd_kafka_metadata(rk, 1, nullptr, &md, 30000); err)
    return kafka_error(err, "bus.check_topics");
  std::map<std::string, int> partitions;
  for (int i = 0; i < md->topic_cnt; ++i)
    if (!md->topics[i].err)
      partitions[md->topics[i].topic] = md->topics[i].partition_cnt;
  rd_kafka_metadata_destroy(md);
  for (const auto& t : topics::all) {
    auto name = topics::name(s.topic_prefix, t);
    auto it = partitions.find(name);
    if (it == partitions.end())
      return setup_error("bus.check_topics",
                         "topic '" + name +
                             "' does not exist and kafka.create_topics is false: "
                             "create it (key: " +
                             std::string{t.key} + ")");
    if (t.single_partition && it->second != 1)
      return setup_error("bus.check_topics", "topic '" + name +
                                                 "' must have exactly 1 partition (it has " +
                                                 std::to_string(it->second) + ")");
  }
  return {};
}

}  // namespace

bus::bus(const config::kafka_settings& s) : settings_(s) {}

bus::~bus() = default;

caf::expected<std::unique_ptr<bus>> bus::open(const config::kafka_settings& s) {
  std::unique_ptr<bus> out{new bus(s)};
  if (s.embedded()) {
    auto cluster = embedded_cluster::start(s.embedded_brokers);
    if (!cluster)
      return std::move(cluster.error());
    out->embedded_ = std::move(*cluster);
    out->brokers_ = out->embedded_->bootstraps();
    for (const auto& t : topics::all)
      if (auto ok =
              out->embedded_->create_topic(out->topic(t), t.single_partition ? 1 : s.partitions);
          !ok)
        return std::move(ok.error());
    logger().info("event=embedded_kafka_started brokers={} partitions={}", out->brokers_,
                  s.partitions);
  } else {
    out->brokers_ = s.brokers;
    auto admin = open_admin(s);
    if (!admin)
      return std::move(admin.error());
    // Created topics are confirmed by the broker's answer (metadata may lag it by a moment);
    // without creation, every topic must already be there.
    auto ok = s.create_topics ? create_topics(s, admin->get()) : check_topics(s, admin->get());
    if (!ok)
      return std::move(ok.error());
    logger().info("event=kafka_topics_ready brokers={}", out->brokers_);
  }
  return out;
}

}  // namespace ivrcast::connectors::kafka
