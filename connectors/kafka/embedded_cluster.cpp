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
  out->brokers_ = brokers;
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

void embedded_cluster::set_group_coordinator(const std::string& group, int32_t broker_id) {
  rd_kafka_mock_coordinator_set(cluster_, "group", group.c_str(), broker_id);
}

void embedded_cluster::fail_requests(int32_t broker_id, int16_t api_key, size_t count, int error) {
  for (size_t i = 0; i < count; ++i)
    rd_kafka_mock_broker_push_request_error_rtts(cluster_, broker_id, api_key, 1,
                                                 static_cast<rd_kafka_resp_err_t>(error), 0);
}

void embedded_cluster::set_brokers_up(bool up) {
  for (int32_t id = 1; id <= brokers_; ++id) {
    if (up)
      rd_kafka_mock_broker_set_up(cluster_, id);
    else
      rd_kafka_mock_broker_set_down(cluster_, id);
  }
}

size_t embedded_cluster::failures_left(int32_t broker_id, int16_t api_key) const {
  size_t left = 0;
  rd_kafka_mock_broker_error_stack_cnt(cluster_, broker_id, api_key, &left);
  return left;
}

}  // namespace ivrcast::connectors::kafka
