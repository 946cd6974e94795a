#pragma once

#include <string>
#include <string_view>

#include "connectors/kafka/producer.hpp"
#include "connectors/kafka/record.hpp"

namespace ivrcast::connectors::kafka {
class bus;
}

namespace ivrcast::metrics {
class registry;
}

namespace ivrcast::connectors::gateway {

/// Sends records that failed to decode or validate to the dead-letter topic with the reason.
/// Thread-safe; the caller counts them in its metrics.
class dead_letters {
 public:
  /// `m`: counts them by source topic (ivrcast_dead_letters_total); null: not counted.
  dead_letters(const kafka::bus& b, kafka::producer& p, std::string node_id,
               metrics::registry* m = nullptr);

  /// Dead-letters `r`, read from `source_topic`; `ticket` is reported on delivery. Waits while
  /// the producer's queue is full (callers on threads of their own); false after a fatal
  /// producer error.
  [[nodiscard]] bool send(std::string_view source_topic, const kafka::record& r,
                          std::string_view reason, uint64_t ticket);

  /// The same without waiting (callers on the actor scheduler): `full` asks to offer it again.
  [[nodiscard]] messages::send_result offer(std::string_view source_topic, const kafka::record& r,
                                            std::string_view reason, uint64_t ticket);

 private:
  /// The DeadLetter record of `r`, logged and counted.
  std::string letter(std::string_view source_topic, const kafka::record& r,
                     std::string_view reason);

  kafka::producer* producer_;
  kafka::producer::topic_ref topic_;
  std::string node_id_;
  metrics::registry* metrics_ = nullptr;
};

}  // namespace ivrcast::connectors::gateway
