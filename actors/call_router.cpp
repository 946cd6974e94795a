#include "actors/call_router.hpp"

#include <caf/all.hpp>

#include "actors/actor_clock.hpp"
#include "actors/call_session.hpp"
#include "actors/fatal.hpp"
#include "actors/log.hpp"
#include "connectors/gateway/dead_letters.hpp"
#include "messages/errc.hpp"
#include "storage/call_counts.hpp"

namespace ivrcast::actors {
namespace {

/// Finished sessions a router keeps for the next calls. Ending an actor costs more than its
/// spawn: CAF 0.17 has every actor that ends cancel its timeouts through the clock thread, a
/// wake-up of that thread per call (0.24 per call at 12,400 calls/s). 256 idle sessions of
/// about 2 kB are enough for the spread of a partition's starts and ends.
constexpr size_t max_idle_sessions = 256;

using self_ptr = call_router_actor::stateful_pointer<call_router_state>;

void publish_commit_point(self_ptr self) {
  auto& st = self->state;
  st.commit_point->store(st.progress.committable(st.live.oldest_offset()),
                         std::memory_order_relaxed);
}

void route(self_ptr self, const router_context* ctx, int32_t partition,
           const messages::call_event& ev) {
  auto& st = self->state;
  if (auto* session = st.live.find(ev.call)) {
    self->send(*session, ev);
    return;
  }
  if (ev.kind != messages::call_event_kind::started) {
    // The call ended here before (late event, IVR hang-up acknowledgement) or began before
    // the commit point of a replay: nothing to do.
    st.progress.handled(ev.offset, 0);
    return;
  }
  auto folded = ctx->counts->first_start(ev.call.value);
  if (!folded)
    // Unknown, not wrong: the start may be new. Routing it keeps the caller served; the worst
    // case is the repeat this check exists for, whose SMS job the sender still drops.
    logger().error("event=first_start_unreadable call={} error=\"{}\"", ev.call.value,
                   describe(folded.error()));
  if (!st.starts.first(ev.call, {partition, ev.offset}, folded ? *folded : std::nullopt)) {
    ctx->session.metrics->repeated_starts.fetch_add(1, std::memory_order_relaxed);
    logger().info("event=repeated_start_dropped call={} partition={} offset={}", ev.call.value,
                  partition, ev.offset);
    st.progress.handled(ev.offset, 0);
    return;
  }
  ctx->session.metrics->calls_started.fetch_add(1, std::memory_order_relaxed);
  auto table = ctx->flows->current();
  std::shared_ptr<const messages::published_flow> flow;
  bool active = false;
  if (auto f = table->flows.find(ev.called); f != table->flows.end()) {
    auto acc = table->accounts.find(f->second->account);
    // A flow of the number's previous account is not the number's flow any more.
    if (acc == table->accounts.end() || acc->second.owns(ev.called)) {
      flow = f->second;
      active = acc != table->accounts.end() && acc->second.state == messages::account_state::active;
    }
  }
  call_session_actor session;
  if (st.idle.empty()) {
    session = self->spawn(call_session, &ctx->session, call_router_actor{self}, partition);
  } else {
    session = std::move(st.idle.back());
    st.idle.pop_back();
  }
  self->send(session, session_start{std::move(flow), active});
  st.live.add(ev.call, session, ev.offset, clock_ms(self));
  self->send(session, ev);
}

/// Offers the dead letters waiting for room, oldest first, until the queue is full again.
void send_dead_letters(self_ptr self, const router_context* ctx, int32_t partition) {
  auto& unsent = self->state.unsent_dead_letters;
  while (!unsent.empty()) {
    const auto& r = unsent.front();
    connectors::kafka::record rec{partition, r.offset, r.key, r.value, 0};
    switch (ctx->dead_letters->offer(ctx->events_topic, rec, r.reason,
                                     messages::delivery_ticket{partition, r.offset}.packed())) {
      case messages::send_result::queued:
        unsent.pop_front();
        break;
      case messages::send_result::full:
        return;
      case messages::send_result::failed:
        return stop_fatally("a dead letter of calls.events could not be queued");
    }
  }
}

void route_batch(self_ptr self, const router_context* ctx, int32_t partition,
                 const messages::call_event_batch& b) {
  auto& st = self->state;
  auto next_rejected = b.rejected.begin();
  auto reject_through = [&](int64_t offset) {
    for (; next_rejected != b.rejected.end() && next_rejected->offset <= offset; ++next_rejected) {
      const auto& r = *next_rejected;
      st.progress.consumed(r.offset);
      st.progress.handled(r.offset, 1);  // done once the dead letter is delivered
      ctx->session.metrics->dead_letters.fetch_add(1, std::memory_order_relaxed);
      st.unsent_dead_letters.push_back(r);
    }
    send_dead_letters(self, ctx, partition);
  };
  for (const auto& ev : b.events) {
    reject_through(ev.offset - 1);
    ctx->session.metrics->events.fetch_add(1, std::memory_order_relaxed);
    st.progress.consumed(ev.offset);
    route(self, ctx, partition, ev);
  }
  reject_through(b.last_offset);
  publish_commit_point(self);
}

int64_t first_offset(const messages::call_event_batch& b) {
  auto first = b.last_offset;
  if (!b.events.empty())
    first = std::min(first, b.events.front().offset);
  if (!b.rejected.empty())
    first = std::min(first, b.rejected.front().offset);
  return first;
}

/// The projection's checkpoint of `partition` (-1 when unreadable: nothing is known folded).
int64_t folded_through(const router_context* ctx, int32_t partition) {
  auto cp = ctx->counts->checkpoint(partition);
  if (!cp) {
    logger().error("event=checkpoint_unreadable partition={} error=\"{}\"", partition,
                   describe(cp.error()));
    return -1;
  }
  return *cp;
}

/// Routes the held batches once the projection has folded in everything before the first of
/// them, or once waiting for it has lasted too long (then repeats of calls started in the gap
/// are not recognised; the sender still drops their SMS jobs).
void route_held(self_ptr self, const router_context* ctx, int32_t partition) {
  auto& st = self->state;
  if (st.held.empty())
    return;
  auto need = first_offset(st.held.front()) - 1;
  auto through = folded_through(ctx, partition);
  if (through < need) {
    if (clock_ms(self) < st.hold_deadline_ms) {
      self->delayed_send(self, std::chrono::milliseconds{20}, atom::resume_v);
      return;
    }
    logger().warn("event=routing_before_counts partition={} counts_through={} first={}", partition,
                  through, need + 1);
  }
  st.started_routing = true;
  auto held = std::move(st.held);
  for (const auto& b : held)
    route_batch(self, ctx, partition, b);
}

}  // namespace

call_router_actor::behavior_type call_router(
    call_router_actor::stateful_pointer<call_router_state> self, const router_context* ctx,
    int32_t partition, std::shared_ptr<std::atomic<int64_t>> commit_point) {
  self->state.live = ivr::live_calls<call_session_actor>{ctx->max_call_ms};
  self->state.commit_point = std::move(commit_point);
  self->set_exit_handler([self](const caf::exit_msg& msg) {
    for (const auto& e : self->state.live.all())
      self->send_exit(e.session, msg.reason);
    for (const auto& s : self->state.idle)
      self->send_exit(s, msg.reason);
    self->quit(msg.reason);
  });
  self->delayed_send(self, std::chrono::seconds{1}, atom::tick_v);
  return {
      [self, ctx, partition](const messages::call_event_batch& b) {
        auto& st = self->state;
        if (st.started_routing) {
          route_batch(self, ctx, partition, b);
          return;
        }
        st.held.push_back(b);
        if (st.held.size() == 1) {  // else the pending resume routes it
          st.hold_deadline_ms = clock_ms(self) + 10'000;
          route_held(self, ctx, partition);
        }
      },
      [self, ctx, partition](atom::resume) { route_held(self, ctx, partition); },
      [self](atom::handled, int64_t offset, int32_t outputs) {
        self->state.progress.handled(offset, outputs);
        publish_commit_point(self);
      },
      [self](atom::delivered, int64_t offset) {
        self->state.progress.delivered(offset);
        publish_commit_point(self);
      },
      [self](atom::finished, const call_id& call) {
        auto& st = self->state;
        st.live.remove(call);
        // Every event routed to the session before now is in its mailbox ahead of the next
        // call's start: it reports them handled first.
        if (st.idle.size() < max_idle_sessions)
          if (auto s = caf::actor_cast<call_session_actor>(self->current_sender()))
            st.idle.push_back(std::move(s));
        publish_commit_point(self);
      },
      [self, ctx, partition](atom::tick) {
        send_dead_letters(self, ctx, partition);
        if (self->state.started_routing)
          self->state.starts.folded_through(folded_through(ctx, partition));
        for (auto& e : self->state.live.take_expired(clock_ms(self)))
          self->send(e.session, atom::expire_v);
        publish_commit_point(self);
        self->delayed_send(self, std::chrono::seconds{1}, atom::tick_v);
      },
  };
}

}  // namespace ivrcast::actors
