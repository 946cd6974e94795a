#pragma once

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

 private:
  embedded_cluster() = default;
  rd_kafka_s* owner_ = nullptr;  // the client the mock cluster belongs to
  rd_kafka_mock_cluster_s* cluster_ = nullptr;
  std::string bootstraps_;
};

}  // namespace ivrcast::connectors::kafka
