#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include <caf/expected.hpp>

struct rd_kafka_s;
struct rd_kafka_mock_cluster_s;

namespace ivrcast::connectors::kafka {

/// librdkafka's in-process mock cluster: the embedded default for the demo and fast tests.
/// It keeps at most ~5 MiB / 100k message sets per partition (toolchain.md): a demo broker,
/// never a store.
class embedded_cluster {
 public:
  [[nodiscard]] static caf::expected<std::unique_ptr<embedded_cluster>> start(int brokers);
  ~embedded_cluster();

  const std::string& bootstraps() const { return bootstraps_; }

  /// Creates a topic; the mock has no admin API.
  [[nodiscard]] caf::expected<void> create_topic(const std::string& name, int partitions);

  /// Makes broker `broker_id` coordinator of `group`, so that `fail_requests` can aim at it.
  void set_group_coordinator(const std::string& group, int32_t broker_id);
  /// Answers the next `count` requests of Kafka API `api_key` to broker `broker_id` with
  /// `error` (an rd_kafka_resp_err_t): holds a client in one state for a test.
  void fail_requests(int32_t broker_id, int16_t api_key, size_t count, int error);
  /// Takes every broker down (false) or up again (true): a Kafka outage for a test.
  void set_brokers_up(bool up);
  /// How many of those failures are still to be served.
  size_t failures_left(int32_t broker_id, int16_t api_key) const;

 private:
  embedded_cluster() = default;
  rd_kafka_s* owner_ = nullptr;  // the client the mock cluster belongs to
  rd_kafka_mock_cluster_s* cluster_ = nullptr;
  std::string bootstraps_;
  int brokers_ = 0;
};

}  // namespace ivrcast::connectors::kafka
