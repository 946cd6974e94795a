#include "connectors/kafka/embedded_cluster.hpp"

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include "connectors/kafka/client_conf.hpp"
#include "connectors/kafka/errors.hpp"

namespace ivrcast::connectors::kafka {

caf::expected<std::unique_ptr<embedded_cluster>> embedded_cluster::start(int brokers) {
  auto conf = make_conf({}, {}, "embedded");
  if (!conf)
    return std::move(conf.error());
  char errstr[512];
  std::unique_ptr<embedded_cluster> out{new embedded_cluster};
  out->owner_ = rd_kafka_new(RD_KAFKA_PRODUCER, *conf, errstr, sizeof errstr);
  if (!out->owner_) {
    rd_kafka_conf_destroy(*conf);
    return setup_error("embedded_cluster.start", errstr);
  }
  out->cluster_ = rd_kafka_mock_cluster_new(out->owner_, brokers);
  if (!out->cluster_)
    return setup_error("embedded_cluster.start", "rd_kafka_mock_cluster_new failed");
  out->bootstraps_ = rd_kafka_mock_cluster_bootstraps(out->cluster_);
  return out;
}

embedded_cluster::~embedded_cluster() {
  if (cluster_)
    rd_kafka_mock_cluster_destroy(cluster_);
  if (owner_)
    rd_kafka_destroy(owner_);
}

caf::expected<void> embedded_cluster::create_topic(const std::string& name, int partitions) {
  auto err = rd_kafka_mock_topic_create(cluster_, name.c_str(), partitions, 1);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR && err != RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS)
    return kafka_error(err, "embedded_cluster.create_topic");
  return {};
}

}  // namespace ivrcast::connectors::kafka
