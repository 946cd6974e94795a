#pragma once

#include <functional>
#include <string>

#include <caf/actor_cast.hpp>
#include <caf/error.hpp>
#include <caf/exit_reason.hpp>

#include "actors/fatal.hpp"

namespace ivrcast::actors {

/// Whether an actor that stopped with `reason` stopped on an error (not by finishing, nor by the
/// node's own stop).
bool stopped_on_error(const caf::error& reason);

/// Watches a long-lived actor of the node: if it stops on an error (a store it cannot write, a
/// bug), the node must not run on without it, silently counting or sending nothing. The stop is
/// escalated (by default: stop_fatally, so the node stops loudly, its orchestrator restarts it
/// and Kafka replay repairs what the actor had not done).
template <class Handle>
void supervise(const Handle& actor, std::string name,
               std::function<void(const std::string&)> escalate = stop_fatally) {
  caf::actor_cast<caf::abstract_actor*>(actor)->attach_functor(
      [name = std::move(name), escalate = std::move(escalate)](const caf::error& reason) {
        if (stopped_on_error(reason))
          escalate(name + " stopped on an error: " + caf::to_string(reason));
      });
}

}  // namespace ivrcast::actors
