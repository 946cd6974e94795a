#include "connectors/kafka/bus.hpp"

#include <librdkafka/rdkafka.h>

#include "connectors/kafka/client_conf.hpp"
#include "connectors/kafka/embedded_cluster.hpp"
#include "connectors/kafka/errors.hpp"
#include "connectors/log.hpp"
#include "messages/errc.hpp"

namespace ivrcast::connectors::kafka {
namespace {

/// Creates our topics on a real cluster with the admin API; existing ones are left alone.
caf::expected<void> create_topics(const config::kafka_settings& s, const std::string& brokers) {
  auto conf = make_conf({{"bootstrap.servers", brokers}}, {}, "admin");
  if (!conf)
    return std::move(conf.error());
  char errstr[512];
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_PRODUCER, *conf, errstr, sizeof errstr);
  if (!rk) {
    rd_kafka_conf_destroy(*conf);
    return setup_error("bus.create_topics", errstr);
  }
  std::vector<rd_kafka_NewTopic_t*> news;
  for (const auto& t : topics::all) {
    auto name = topics::name(s.topic_prefix, t);
    auto* nt = rd_kafka_NewTopic_new(name.c_str(), t.single_partition ? 1 : s.partitions,
                                     s.replication_factor, errstr,
                                     sizeof errstr);
    if (t.compacted)
      // ignored: a literal valid setting
      (void)rd_kafka_NewTopic_set_config(nt, "cleanup.policy", "compact");
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
  rd_kafka_destroy(rk);
  return result;
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
      if (auto ok = out->embedded_->create_topic(out->topic(t), t.single_partition ? 1 : s.partitions); !ok)
        return std::move(ok.error());
    logger().info("event=embedded_kafka_started brokers={} partitions={}", out->brokers_,
                  s.partitions);
  } else {
    out->brokers_ = s.brokers;
    if (auto ok = create_topics(s, s.brokers); !ok)
      return std::move(ok.error());
    logger().info("event=kafka_topics_ready brokers={}", out->brokers_);
  }
  return out;
}

}  // namespace ivrcast::connectors::kafka
