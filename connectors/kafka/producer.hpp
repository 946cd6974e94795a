#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <caf/expected.hpp>

#include "messages/outbox.hpp"

struct rd_kafka_s;
struct rd_kafka_topic_s;

namespace ivrcast::connectors::kafka {

class bus;

/// An idempotent producer. Only a delivery report means "sent": each produce carries a
/// ticket (0 = untracked) that comes back through `delivery_fn` on the producer's own poll
/// thread. Thread-safe; produce never drops (a full queue is waited out).
class producer {
 public:
  using delivery_fn = std::function<void(uint64_t ticket, bool ok)>;
  /// Where a delivered record landed (partition, offset; -1 when it failed).
  using placed_fn =
      std::function<void(uint64_t ticket, bool ok, int32_t partition, int64_t offset)>;

  /// A topic resolved once, for cheap produce calls.
  struct topic_ref {
    rd_kafka_topic_s* handle = nullptr;
  };

  [[nodiscard]] static caf::expected<std::unique_ptr<producer>> open(const bus& b,
                                                                     std::string client_id,
                                                                     delivery_fn on_delivery);
  /// The same, reporting where each record landed (read-your-writes waits on that offset).
  [[nodiscard]] static caf::expected<std::unique_ptr<producer>> open_placed(const bus& b,
                                                                            std::string client_id,
                                                                            placed_fn on_delivery);
  ~producer();
  producer(const producer&) = delete;
  producer& operator=(const producer&) = delete;

  /// Resolves a topic by full name; the handle lives as long as the producer.
  topic_ref topic(const std::string& name);

  /// Queues a record (partitioned by the hash of `key`). Blocks only while the local queue is
  /// full. False after a fatal producer error.
  bool produce(topic_ref t, std::string_view key, std::string_view value, uint64_t ticket);

  /// The same into a given partition (negative: by key).
  bool produce_to(topic_ref t, int32_t partition, std::string_view key, std::string_view value,
                  uint64_t ticket);

  /// Queues a record (partitioned by key) without waiting: `full` when the local queue is.
  [[nodiscard]] messages::send_result try_produce(topic_ref t, std::string_view key,
                                                  std::string_view value, uint64_t ticket);

  /// Whether a broker answers a metadata request within `timeout` (readiness); the error
  /// names why not. A fatal producer error counts as unreachable.
  [[nodiscard]] caf::expected<void> reachable(std::chrono::milliseconds timeout) const;

  /// Waits until everything queued is delivered, at most `timeout`.
  [[nodiscard]] caf::expected<void> flush(std::chrono::milliseconds timeout);

 private:
  producer() = default;
  messages::send_result offer(topic_ref t, int32_t partition, std::string_view key,
                              std::string_view value, uint64_t ticket);
  static void on_report(rd_kafka_s* rk, const void* msg, void* opaque);

  rd_kafka_s* rk_ = nullptr;
  placed_fn on_delivery_;
  std::vector<rd_kafka_topic_s*> topics_;
  std::atomic<bool> stop_{false};
  std::atomic<bool> fatal_{false};
  std::thread poller_;
};

}  // namespace ivrcast::connectors::kafka
