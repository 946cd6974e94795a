#pragma once

#include <chrono>
#include <functional>
#include <memory>

#include <caf/expected.hpp>

#include "actors/context.hpp"
#include "config/settings.hpp"

namespace ivrcast::connectors::kafka {
class bus;
}
namespace ivrcast::storage {
class call_counts;
class control_state;
}  // namespace ivrcast::storage

namespace ivrcast::actors {

class sms_service;

/// One ivrcast node with every role of the call path: control view (flows), call routers and
/// sessions for the partitions it owns and the call-count projection over all
/// partitions. Owns its actor system, Kafka clients and RocksDB.
class node {
 public:
  /// Starts a node on `bus` (shared with others in the same process, e.g. the embedded
  /// cluster of the demo), with its HTTP API if http.listen is set; `clock` (ms) is the API's
  /// time, the wall clock if empty (tests move it). Returns once the control view has caught up and
  /// the call consumer has joined its group, or fails naming what could not start.
  [[nodiscard]] static caf::expected<std::unique_ptr<node>> start(
      const config::settings& s, std::shared_ptr<connectors::kafka::bus> bus,
      std::function<int64_t()> clock = {});

  ~node();
  node(const node&) = delete;
  node& operator=(const node&) = delete;

  /// Leaves the group, stops every actor and flushes the producer. Idempotent.
  void stop();

  const node_metrics& metrics() const;
  /// The call-count projection, for reads (its only writer is the call_counter actor).
  const storage::call_counts& counts() const;
  /// The SMS side: senders, receipts, the delivery log.
  const sms_service& sms() const;
  /// Port of the HTTP API (0 if http.listen is empty).
  int http_port() const;
  /// The control-plane state (users, accounts, flows) as this node holds it.
  const storage::control_state& control() const;
  /// Partitions of the call-events topic this node owns now.
  size_t owned_partitions() const;

  struct impl;

 private:
  explicit node(std::unique_ptr<impl> p);
  std::unique_ptr<impl> impl_;
};

}  // namespace ivrcast::actors
