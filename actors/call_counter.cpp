#include "actors/call_counter.hpp"

#include <caf/all.hpp>

#include "actors/log.hpp"
#include "actors/tsan_handoff.hpp"
#include "messages/clock.hpp"
#include "messages/errc.hpp"

namespace ivrcast::actors {

call_counter_actor::behavior_type call_counter(
    call_counter_actor::stateful_pointer<call_counter_state> self,
    std::shared_ptr<storage::call_counts> counts, int64_t retention_ms) {
  self->state.counts = std::move(counts);
  self->send(self, atom::tick_v);
  return {
      [self](atom::apply, const messages::call_event_batch& b) -> caf::result<int64_t> {
        tsan_turn turn{self};
        if (auto done = self->state.counts->apply(b); !done) {
          logger().error("event=call_counts_apply_failed partition={} error=\"{}\"",
                         b.partition.value, describe(done.error()));
          // Counting on past a failed batch would lose it for good; stopping keeps the counts
          // right (if late): a restart replays from the stored offset.
          self->quit(done.error());
          return std::move(done.error());
        }
        return b.last_offset;
      },
      [self, retention_ms](atom::tick) {
        tsan_turn turn{self};
        auto n = self->state.counts->forget_starts_before(unix_now_ms() - retention_ms);
        if (!n)
          logger().error("event=call_starts_purge_failed error=\"{}\"", describe(n.error()));
        else if (*n > 0)
          logger().info("event=call_starts_purged count={}", *n);
        self->delayed_send(self, std::chrono::hours{1}, atom::tick_v);
      },
  };
}

}  // namespace ivrcast::actors
