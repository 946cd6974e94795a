#pragma once

#include <cstdint>

#include "messages/calls.hpp"

namespace ivrcast::messages {

/// Names the input record whose processing produced an output, so that its delivery report can
/// be matched back to it: partition and offset packed in 64 bits.
struct delivery_ticket {
  int32_t partition = -1;
  int64_t offset = -1;

  /// 0 for "untracked"; otherwise (partition + 1) in the top 16 bits, offset in the low 48.
  uint64_t packed() const {
    if (partition < 0 || offset < 0)
      return 0;
    return (static_cast<uint64_t>(partition + 1) << 48) | static_cast<uint64_t>(offset);
  }
  static delivery_ticket unpack(uint64_t v) {
    if (v == 0)
      return {};
    return {static_cast<int32_t>((v >> 48) - 1), static_cast<int64_t>(v & ((1ULL << 48) - 1))};
  }
};

/// What became of an output offered to the outbox.
enum class send_result : uint8_t {
  queued,  // on its way: its delivery report will follow
  full,    // the local queue is full (the cluster is slow or away): offer it again later
  failed,  // a fatal producer error: it never will be sent
};

/// Where call sessions put what they decide. Thread-safe; never blocks: a session runs on the
/// actor scheduler's shared threads, so a full queue is answered, not waited out.
/// Implementations report each output's delivery, with its ticket, through their own callback.
class outbox {
 public:
  virtual ~outbox() = default;
  /// Queues a command for the call's gateway.
  [[nodiscard]] virtual send_result send(const call_command& cmd, delivery_ticket ticket) = 0;
  /// Queues an SMS job.
  [[nodiscard]] virtual send_result send(const sms_job& job, delivery_ticket ticket) = 0;
};

}  // namespace ivrcast::messages
