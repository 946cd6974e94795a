#pragma once

#include <memory>
#include <string>

#include <caf/expected.hpp>

#include "config/settings.hpp"
#include "messages/topics.hpp"

namespace ivrcast::connectors::kafka {

class embedded_cluster;

/// Where Kafka is and what our topics are called. Embedded mode starts librdkafka's
/// in-process mock cluster, which lives as long as this object; broker mode uses
/// `kafka.brokers`. Either way `open` creates missing topics. Shared by every client.
class bus {
 public:
  [[nodiscard]] static caf::expected<std::unique_ptr<bus>> open(const config::kafka_settings& s);
  ~bus();

  /// Bootstrap servers for clients (the mock cluster's loopback addresses when embedded).
  const std::string& brokers() const { return brokers_; }
  /// Full name of one of our topics.
  std::string topic(const topics::topic_spec& t) const {
    return topics::name(settings_.topic_prefix, t);
  }
  const config::kafka_settings& settings() const { return settings_; }
  /// The in-process cluster in embedded mode (tests inject failures through it), else null.
  embedded_cluster* embedded() const { return embedded_.get(); }

 private:
  explicit bus(const config::kafka_settings& s);
  config::kafka_settings settings_;
  std::unique_ptr<embedded_cluster> embedded_;
  std::string brokers_;
};

}  // namespace ivrcast::connectors::kafka
