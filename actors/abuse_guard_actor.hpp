#pragma once

#include <optional>

#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "actors/handles.hpp"
#include "config/settings.hpp"
#include "ivr/abuse_guard.hpp"

namespace ivrcast::actors {

struct abuse_guard_state {
  static inline const char* name = "abuse_guard";
  std::optional<ivr::abuse_guard> guard;
};

/// Spawns the node's abuse guard; time comes from the actor clock (the test clock in tests).
abuse_guard_actor::behavior_type abuse_guard(
    abuse_guard_actor::stateful_pointer<abuse_guard_state> self, config::abuse_settings settings);

}  // namespace ivrcast::actors
