#pragma once

#include <atomic>
#include <deque>
#include <memory>
#include <vector>

#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "actors/context.hpp"
#include "actors/handles.hpp"
#include "actors/offset_progress.hpp"
#include "ivr/live_calls.hpp"
#include "ivr/start_filter.hpp"

namespace ivrcast::actors {

struct call_router_state {
  static inline const char* name = "call_router";
  ivr::live_calls<call_session_actor> live{0};
  actors::offset_progress progress;
  ivr::start_filter starts;
  std::shared_ptr<std::atomic<int64_t>> commit_point;
  /// Batches held until the call-count projection has reached the router's first offset: only
  /// then do the projection and `starts` together know every start before it.
  bool started_routing = false;
  std::vector<messages::call_event_batch> held;
  int64_t hold_deadline_ms = 0;
  /// Refused records the producer's full queue could not take yet, in offset order: offered
  /// again at every batch and tick (the router never waits for room).
  std::deque<messages::rejected_record> unsent_dead_letters;
  /// Sessions whose call the router has forgotten, for the next calls (newest last).
  std::vector<call_session_actor> idle;
};

/// Spawns the router of `partition`. It publishes the offset safe to commit into
/// `commit_point` (read by the consumer thread): every record before it is finished and no
/// live call started before it, so a node taking the partition over rebuilds every live call
/// by replaying from there. A repeated `started` of a call is dropped (ivr::start_filter). On
/// exit it stops its sessions.
call_router_actor::behavior_type call_router(
    call_router_actor::stateful_pointer<call_router_state> self, const router_context* ctx,
    int32_t partition, std::shared_ptr<std::atomic<int64_t>> commit_point);

}  // namespace ivrcast::actors
