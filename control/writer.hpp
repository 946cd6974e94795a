#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include <caf/expected.hpp>

#include "connectors/kafka/producer.hpp"
#include "messages/control.pb.h"
#include "messages/sms.pb.h"

namespace ivrcast::connectors::kafka {
class bus;
}
namespace ivrcast::storage {
class control_state;
}

namespace ivrcast::control {

/// One write to the control state: a record, or the deletion of `key`.
struct change {
  std::string key;
  std::optional<wire::ControlRecord> record;  // nullopt: tombstone
};

/// What a read-modify-write decided about the record it was shown.
enum class mutation_result { write, leave };

/// Changes the current record of a key in place (nullopt: there is none; setting one creates
/// it). May run several times: once per attempt, each time on a fresh read.
using mutation = std::function<mutation_result(std::optional<wire::ControlRecord>& current)>;

/// Writes control-plane records to control.state and answers once this node's control_state
/// has applied them (read-your-writes); also audit events and short-link opens. Thread-safe:
/// HTTP worker threads share one.
class writer {
 public:
  [[nodiscard]] static caf::expected<std::unique_ptr<writer>> open(
      const connectors::kafka::bus& b, const storage::control_state& state, std::string node_id);
  ~writer();

  /// Writes `changes` in order and waits until they are applied here (30 s at most).
  [[nodiscard]] caf::expected<void> write(const std::vector<change>& changes);
  [[nodiscard]] caf::expected<void> put(const wire::ControlRecord& r);

  /// Read-modify-write of one record that loses no concurrent update, on this node or any
  /// other: reads `key`, lets `fn` change it, and writes it on condition that the key is still
  /// at the revision read; when another write came first, reads again and reruns `fn`. True if
  /// a record was written, false if `fn` left it; an error after 64 lost races or on a broker
  /// or storage failure.
  [[nodiscard]] caf::expected<bool> update(const std::string& key, const mutation& fn);

  /// Sends a security event to control.audit and the log; never blocks the request on it.
  void audit(wire::AuditEvent ev);

  /// Sends a status event (a short link's first open) to sms.status, keyed by message id, and
  /// waits until the broker has it.
  [[nodiscard]] caf::expected<void> status(const wire::StatusEvent& ev);

 private:
  writer() = default;
  void delivered(uint64_t ticket, bool ok, int64_t offset);
  /// Produces `changes` to control.state; the highest offset once the broker has them all and
  /// this node's control_state has folded them in (30 s at most each).
  caf::expected<int64_t> write_applied(const std::vector<change>& changes);
  /// Waits for `tickets`; the highest offset, or an error if one failed or timed out.
  caf::expected<int64_t> await(const std::vector<uint64_t>& tickets);

  struct outcome {
    bool done = false;
    bool ok = false;
    int64_t offset = -1;
  };

  const storage::control_state* state_ = nullptr;
  std::string node_id_;
  std::unique_ptr<connectors::kafka::producer> producer_;
  connectors::kafka::producer::topic_ref control_topic_;
  connectors::kafka::producer::topic_ref audit_topic_;
  connectors::kafka::producer::topic_ref status_topic_;
  std::mutex mtx_;
  std::condition_variable cv_;
  uint64_t next_ticket_ = 1;
  std::unordered_map<uint64_t, outcome> pending_;
};

}  // namespace ivrcast::control
