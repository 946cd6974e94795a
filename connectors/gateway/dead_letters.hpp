#pragma once

#include <atomic>
#include <string>
#include <string_view>

#include "connectors/kafka/producer.hpp"
#include "connectors/kafka/record.hpp"

namespace ivrcast::connectors::kafka {
class bus;
}

namespace ivrcast::connectors::gateway {

/// Sends records that failed to decode or validate to the dead-letter topic with the reason,
/// and counts them. Thread-safe.
class dead_letters {
 public:
  dead_letters(const kafka::bus& b, kafka::producer& p, std::string node_id);

  /// Dead-letters `r`, read from `source_topic`; `ticket` is reported on delivery.
  void send(std::string_view source_topic, const kafka::record& r, std::string_view reason,
            uint64_t ticket);

  uint64_t count() const { return count_.load(); }

 private:
  kafka::producer* producer_;
  kafka::producer::topic_ref topic_;
  std::string node_id_;
  std::atomic<uint64_t> count_{0};
};

}  // namespace ivrcast::connectors::gateway
