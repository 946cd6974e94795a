#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ivrcast::sms {

/// One SMS the guard allowed.
struct allowed_sms {
  std::string message_id;
  int64_t at_ms = 0;  // the job's decided_at_ms
};

/// The abuse guard (product.md §2.2.6) for one (incoming number, destination): at most
/// `max_sms` SMS whose decision times fall within `window_ms`. Decided where the destination's
/// jobs are read in order (its sms.jobs partition), from what the partition recorded before,
/// so that every node, and a replay, decides the same. Pure: no I/O, time passed in.
class abuse_window {
 public:
  abuse_window(int max_sms, int64_t window_ms) : max_sms_(max_sms), window_ms_(window_ms) {}

  /// Whether `message_id`, decided at `at_ms`, may be sent given `allowed` (what was allowed
  /// before, oldest first). A message allowed before is allowed again (a replay). When a new
  /// one is allowed, `allowed` becomes the list to record: the entries still inside the window
  /// and the new one. Refused requests do not extend the window.
  bool decide(std::vector<allowed_sms>& allowed, std::string_view message_id, int64_t at_ms) const;

 private:
  int max_sms_;
  int64_t window_ms_;
};

/// The key of a guard record in sms.sends (message_id field): "guard/<number>/<destination>".
std::string guard_key(std::string_view incoming_number, std::string_view destination);

}  // namespace ivrcast::sms
