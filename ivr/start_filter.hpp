#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <unordered_map>
#include <utility>

#include "messages/calls.hpp"
#include "messages/ids.hpp"

namespace ivrcast::ivr {

/// Tells a call's first `started` from a gateway's repeat of it (a producer retry without
/// idempotence, a gateway that re-sends after a restart), so a repeat starts no second session:
/// no second seq 1, no second SMS job. Two sources answer together: the node's call-count
/// projection knows the first start of every call it has folded in, and this filter knows the
/// starts its router saw since the projection's checkpoint, which the projection may not have
/// reached yet. Pure: no clock, no I/O. Owned by one call router.
class start_filter {
 public:
  /// A `started` of `call` at `at`; `folded` is where the projection saw the call start first,
  /// if it has. True if this is the call's first start (route it), false for a repeat.
  bool first(const call_id& call, messages::event_position at,
             std::optional<messages::event_position> folded) {
    if (seen_.contains(call))
      return false;
    // The projection holds the earliest start; this one is it when the positions match (a
    // replay of the same record after a takeover is the call itself, not a repeat).
    if (folded && !(*folded == at) &&
        (folded->partition != at.partition || folded->offset < at.offset))
      return false;
    seen_.emplace(call, at.offset);
    order_.emplace_back(at.offset, call);
    return true;
  }

  /// The projection has folded this router's partition in through `offset`: it answers for the
  /// starts at or before it from now on, so they are forgotten here.
  void folded_through(int64_t offset) {
    while (!order_.empty() && order_.front().first <= offset) {
      seen_.erase(order_.front().second);
      order_.pop_front();
    }
  }

  size_t remembered() const { return order_.size(); }

 private:
  std::unordered_map<call_id, int64_t> seen_;
  std::deque<std::pair<int64_t, call_id>> order_;  // offset order: starts arrive in it
};

}  // namespace ivrcast::ivr
