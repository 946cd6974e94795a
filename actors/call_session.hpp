#pragma once

#include <memory>
#include <optional>

#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "actors/context.hpp"
#include "actors/handles.hpp"
#include "ivr/call_logic.hpp"

namespace ivrcast::actors {

struct call_session_state {
  static inline const char* name = "call_session";
  std::optional<ivr::call_logic> logic;
  call_id call;
  gateway_id gateway;
  int32_t partition = 0;
};

/// Runs one call. Spawned by its router at the call's first event with the flow version the
/// call keeps for life (null: no published flow) and whether the account may take calls.
call_session_actor::behavior_type call_session(
    call_session_actor::stateful_pointer<call_session_state> self, const session_context* ctx,
    call_router_actor router, int32_t partition,
    std::shared_ptr<const messages::published_flow> flow, bool account_active);

}  // namespace ivrcast::actors
