#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <unordered_map>

namespace ivrcast::ivr {

/// At most `max_sms` SMS per (flow, destination) within a sliding window, product.md §2.2.6.
/// In memory, per node: see docs/call-path.md for why and its limits. Time is passed in, so
/// tests drive it. Owned by the abuse_guard actor.
class abuse_guard {
 public:
  abuse_guard(int max_sms, int64_t window_ms);

  /// Records a request at `now_ms`; true when it may be sent, false when over the limit
  /// (refused requests do not extend the window).
  bool allow(std::string_view flow_key, std::string_view destination, int64_t now_ms);

  /// Forgets entries whose window has passed; call periodically to bound memory.
  void prune(int64_t now_ms);

  size_t tracked() const { return sent_.size(); }

 private:
  int max_sms_;
  int64_t window_ms_;
  std::unordered_map<std::string, std::deque<int64_t>> sent_;  // key -> send times, oldest first
};

}  // namespace ivrcast::ivr
