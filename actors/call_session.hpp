#pragma once

#include <deque>
#include <memory>
#include <optional>
#include <variant>

#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "actors/context.hpp"
#include "actors/handles.hpp"
#include "ivr/call_logic.hpp"

namespace ivrcast::actors {

/// An output the outbox could not take yet (its queue was full), with the record it answers.
struct unsent_output {
  std::variant<messages::sms_job, messages::call_command> output;
  messages::delivery_ticket ticket;
};

struct call_session_state {
  static inline const char* name = "call_session";
  std::optional<ivr::call_logic> logic;
  call_id call;
  gateway_id gateway;
  int32_t partition = 0;
  /// Outputs waiting for room in the outbox, in the order they were decided; while any wait,
  /// later ones queue behind them. The session ends only once they are all sent.
  std::deque<unsent_output> unsent;
  int64_t retry_ms = 0;  // the wait before offering them again, doubled up to 100 ms
  bool finished = false;
  bool reported = false;  // `finished` sent to the router
};

/// Runs one call at a time, each from its `session_start`. Never waits on the outbox: outputs it
/// cannot take yet are offered again on a timer (atom::resume), so a slow cluster holds no
/// scheduler thread. Spawned by its router for a call when none of its finished sessions is free;
/// stopped by the router's exit.
call_session_actor::behavior_type call_session(
    call_session_actor::stateful_pointer<call_session_state> self, const session_context* ctx,
    call_router_actor router, int32_t partition);

}  // namespace ivrcast::actors
