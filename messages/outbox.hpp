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

/// Where call sessions put what they decide. Thread-safe; never blocks for long. Implementations
/// report each output's delivery, with its ticket, through their own callback.
class outbox {
 public:
  virtual ~outbox() = default;
  /// Queues a command for the call's gateway; false: it cannot be (a fatal producer error).
  [[nodiscard]] virtual bool send(const call_command& cmd, delivery_ticket ticket) = 0;
  /// Queues an SMS job; false as for a command.
  [[nodiscard]] virtual bool send(const sms_job& job, delivery_ticket ticket) = 0;
};

}  // namespace ivrcast::messages
