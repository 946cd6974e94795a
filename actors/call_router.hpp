#pragma once

#include <atomic>
#include <memory>

#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "actors/context.hpp"
#include "actors/handles.hpp"
#include "ivr/live_calls.hpp"
#include "ivr/offset_progress.hpp"

namespace ivrcast::actors {

struct call_router_state {
  static inline const char* name = "call_router";
  ivr::live_calls<call_session_actor> live{0};
  ivr::offset_progress progress;
  std::shared_ptr<std::atomic<int64_t>> commit_point;
};

/// Spawns the router of `partition`. It publishes the offset safe to commit into
/// `commit_point` (read by the consumer thread): every record before it is finished and no
/// live call started before it, so a node taking the partition over rebuilds every live call
/// by replaying from there. On exit it stops its sessions.
call_router_actor::behavior_type call_router(
    call_router_actor::stateful_pointer<call_router_state> self, const router_context* ctx,
    int32_t partition, std::shared_ptr<std::atomic<int64_t>> commit_point);

}  // namespace ivrcast::actors
