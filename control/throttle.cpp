#include "control/throttle.hpp"

#include <algorithm>

namespace ivrcast::control {

bool login_rate_limit::allow(const std::string& address, int64_t now_ms, int elsewhere) {
  std::lock_guard<std::mutex> guard{mtx_};
  if (recent_.size() > 100000)
    recent_.clear();  // a flood of addresses: forget rather than grow without bound
  auto& q = recent_[address];
  while (!q.empty() && now_ms - q.front() >= window_ms)
    q.pop_front();
  if (static_cast<int64_t>(q.size()) + elsewhere >= per_minute_)
    return false;
  q.push_back(now_ms);
  return true;
}

login_trail read_login_trail(std::span<const wire::AuditEvent> newest_first, int64_t now_ms,
                             int64_t lock_ms) {
  login_trail out;
  for (const auto& ev : newest_first) {
    if (ev.event() == "locked") {
      if (ev.at_ms() + lock_ms > now_ms)
        out.locked_until_ms = ev.at_ms() + lock_ms;
      break;
    }
    if (ev.event() == "login_ok")
      break;
    if (ev.event() == "login_failed")
      ++out.failures;
  }
  return out;
}

int64_t unknown_user_failures::locked_until(const std::string& email, int64_t now_ms,
                                            const login_trail& trail) {
  std::lock_guard<std::mutex> guard{mtx_};
  int64_t until = trail.locked_until_ms > now_ms ? trail.locked_until_ms : 0;
  auto it = by_email_.find(email);
  if (it != by_email_.end() && it->second.locked_until_ms > now_ms)
    until = std::max(until, it->second.locked_until_ms);
  return until;
}

int64_t unknown_user_failures::fail(const std::string& email, int64_t now_ms, int max_failures,
                                    int64_t lock_ms, const login_trail& trail) {
  std::lock_guard<std::mutex> guard{mtx_};
  if (by_email_.size() > 100000)
    by_email_.clear();
  auto& e = by_email_[email];
  if (e.locked_until_ms != 0 && e.locked_until_ms <= now_ms)
    e = entry{};
  // The trail holds this node's failures too, as soon as it has folded them: the larger count
  // is the address's, wherever its failures landed.
  e.failures = std::max(e.failures, trail.failures) + 1;
  if (e.failures < max_failures)
    return 0;
  e.failures = 0;
  e.locked_until_ms = now_ms + lock_ms;
  return e.locked_until_ms;
}

}  // namespace ivrcast::control
