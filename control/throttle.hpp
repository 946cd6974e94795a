#pragma once

#include <cstdint>
#include <deque>
#include <mutex>
#include <span>
#include <string>
#include <unordered_map>

#include "messages/control.pb.h"

namespace ivrcast::control {

/// At most `per_minute` login attempts per client address in any 60 s. Thread-safe.
class login_rate_limit {
 public:
  /// The span an address's attempts count in.
  static constexpr int64_t window_ms = 60000;

  explicit login_rate_limit(int per_minute) : per_minute_(per_minute) {}
  int per_minute() const { return per_minute_; }
  /// Records an attempt of this node; false if the address is over its limit (the attempt is
  /// refused). `elsewhere`: the address's attempts of the last minute that other nodes counted
  /// (from the audit trail), so that the limit holds for the cluster.
  bool allow(const std::string& address, int64_t now_ms, int elsewhere = 0);

 private:
  int per_minute_;
  std::mutex mtx_;
  std::unordered_map<std::string, std::deque<int64_t>> recent_;
};

/// What the audit trail (every node's login events) says of an address that matches no user.
struct login_trail {
  int64_t locked_until_ms = 0;  // 0: not locked
  int failures = 0;             // failed logins since its last lock or success
};

/// How many of an address's newest audit events `read_login_trail` needs.
inline constexpr size_t login_trail_events = 16;

/// Reads an address's audit events, newest first: a `locked` event locks it for `lock_ms`
/// from its time; `login_failed` events after the last lock or `login_ok` count.
login_trail read_login_trail(std::span<const wire::AuditEvent> newest_first, int64_t now_ms,
                             int64_t lock_ms);

/// Failed logins for addresses that match no user, counted like a user's, so an unknown
/// address gets the same answers (including "locked") as a known one with a wrong password.
/// Counted here and in the audit trail, which every node folds: the lock holds on every node
/// once the trail has reached it (within the audit topic's lag), and this node's own count
/// covers that lag for itself.
class unknown_user_failures {
 public:
  /// Locked until (ms) for `email`, 0 if not locked.
  int64_t locked_until(const std::string& email, int64_t now_ms, const login_trail& trail);
  /// Counts a failure; returns the lock end if this one locked the address, else 0.
  int64_t fail(const std::string& email, int64_t now_ms, int max_failures, int64_t lock_ms,
               const login_trail& trail);

 private:
  struct entry {
    int failures = 0;
    int64_t locked_until_ms = 0;
  };
  std::mutex mtx_;
  std::unordered_map<std::string, entry> by_email_;
};

}  // namespace ivrcast::control
