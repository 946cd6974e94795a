#pragma once

#include <cstdint>
#include <list>
#include <optional>
#include <unordered_map>
#include <vector>

#include "messages/ids.hpp"

namespace ivrcast::ivr {

/// The live calls of one partition in the order they started. All calls share one maximum
/// duration, so start order is deadline order: the front is the next to expire, and the front's
/// first offset is where a replay must begin. This replaces a timer per session (a pending CAF
/// timer costs ~300 B per actor). Removal is O(1). Owned by one call router.
template <class Session>
class live_calls {
 public:
  struct entry {
    int64_t deadline_ms;
    int64_t first_offset;
    call_id call;
    Session session;
  };

  explicit live_calls(int64_t max_duration_ms) : max_ms_(max_duration_ms) {}

  /// Adds a call that started at `now_ms` with its first event at `first_offset`; false if
  /// the call is already live.
  bool add(call_id call, Session session, int64_t first_offset, int64_t now_ms) {
    if (by_id_.contains(call))
      return false;
    order_.push_back(entry{now_ms + max_ms_, first_offset, call, std::move(session)});
    by_id_.emplace(std::move(call), std::prev(order_.end()));
    return true;
  }

  /// The session of a live call, or null.
  Session* find(const call_id& call) {
    auto i = by_id_.find(call);
    return i == by_id_.end() ? nullptr : &i->second->session;
  }

  /// Forgets a call; no effect if it is not live.
  void remove(const call_id& call) {
    if (auto i = by_id_.find(call); i != by_id_.end()) {
      order_.erase(i->second);
      by_id_.erase(i);
    }
  }

  /// Removes and returns the calls whose deadline is at or before `now_ms`.
  std::vector<entry> take_expired(int64_t now_ms) {
    std::vector<entry> out;
    while (!order_.empty() && order_.front().deadline_ms <= now_ms) {
      by_id_.erase(order_.front().call);
      out.push_back(std::move(order_.front()));
      order_.pop_front();
    }
    return out;
  }

  /// First offset of the oldest live call: a replay from there rebuilds every live call.
  std::optional<int64_t> oldest_offset() const {
    if (order_.empty())
      return std::nullopt;
    return order_.front().first_offset;
  }

  /// Every live call, oldest first.
  const std::list<entry>& all() const { return order_; }

  size_t size() const { return order_.size(); }

 private:
  int64_t max_ms_;
  std::list<entry> order_;
  std::unordered_map<call_id, typename std::list<entry>::iterator> by_id_;
};

}  // namespace ivrcast::ivr
