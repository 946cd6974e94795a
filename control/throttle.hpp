#pragma once

#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <unordered_map>

namespace ivrcast::control {

/// At most `per_minute` login attempts per client address in any 60 s. Thread-safe.
class login_rate_limit {
 public:
  explicit login_rate_limit(int per_minute) : per_minute_(per_minute) {}
  /// Records an attempt; false if the address is over its limit (the attempt is refused).
  bool allow(const std::string& address, int64_t now_ms);

 private:
  int per_minute_;
  std::mutex mtx_;
  std::unordered_map<std::string, std::deque<int64_t>> recent_;
};

/// Failed logins for addresses that match no user, counted like a user's, so an unknown
/// address gets the same answers (including "locked") as a known one with a wrong password.
class unknown_user_failures {
 public:
  /// Locked until (ms) for `email`, 0 if not locked.
  int64_t locked_until(const std::string& email, int64_t now_ms);
  /// Counts a failure; returns the lock end if this one locked the address, else 0.
  int64_t fail(const std::string& email, int64_t now_ms, int max_failures, int64_t lock_ms);

 private:
  struct entry {
    int failures = 0;
    int64_t locked_until_ms = 0;
  };
  std::mutex mtx_;
  std::unordered_map<std::string, entry> by_email_;
};

}  // namespace ivrcast::control
