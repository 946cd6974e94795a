#include "actors/abuse_guard_actor.hpp"

#include <caf/all.hpp>

#include "actors/actor_clock.hpp"

namespace ivrcast::actors {

abuse_guard_actor::behavior_type abuse_guard(
    abuse_guard_actor::stateful_pointer<abuse_guard_state> self, config::abuse_settings settings) {
  self->state.guard.emplace(settings.max_sms, int64_t{settings.window_s} * 1000);
  self->delayed_send(self, std::chrono::seconds{60}, atom::tick_v);
  return {
      [self](atom::check, const std::string& flow_key, const std::string& destination) {
        return self->state.guard->allow(flow_key, destination, clock_ms(self));
      },
      [self](atom::tick) {
        self->state.guard->prune(clock_ms(self));
        self->delayed_send(self, std::chrono::seconds{60}, atom::tick_v);
      },
  };
}

}  // namespace ivrcast::actors
