#include "actors/call_session.hpp"

#include <caf/all.hpp>

#include "actors/fatal.hpp"
#include "actors/log.hpp"
#include "messages/clock.hpp"
#include "messages/phone.hpp"

namespace ivrcast::actors {
namespace {

using self_ptr = call_session_actor::stateful_pointer<call_session_state>;

constexpr int64_t first_retry_ms = 1;
constexpr int64_t max_retry_ms = 100;

/// Reports the end of the call to its router once every output is sent. The session does not
/// stop itself: events the router routed to it before it read the report are in its mailbox,
/// and each must still be reported handled (a replay reads a call's hang-up in the same batch as
/// the event that ended it; dropped with a stopped session, it would hold the commit point back
/// for good). The router keeps the session for a next call, or drops it and CAF collects it once
/// its mailbox is read.
void finish_when_sent(self_ptr self, const session_context* ctx, const call_router_actor& router) {
  auto& st = self->state;
  if (!st.finished || !st.unsent.empty() || st.reported)
    return;
  st.reported = true;
  ctx->metrics->outcomes[static_cast<size_t>(st.logic->outcome())].fetch_add(
      1, std::memory_order_relaxed);
  ctx->metrics->live_sessions.fetch_sub(1, std::memory_order_relaxed);
  self->send(router, atom::finished_v, st.call);
}

/// Offers the waiting outputs again after a wait that doubles while the outbox stays full.
void retry_later(self_ptr self) {
  auto& st = self->state;
  st.retry_ms = st.retry_ms == 0 ? first_retry_ms : std::min(st.retry_ms * 2, max_retry_ms);
  self->delayed_send(self, std::chrono::milliseconds{st.retry_ms}, atom::resume_v);
}

/// Offers the waiting outputs, oldest first, until the outbox is full again; then tries later.
void send_unsent(self_ptr self, const session_context* ctx) {
  auto& st = self->state;
  while (!st.unsent.empty()) {
    auto& u = st.unsent.front();
    auto result =
        std::visit([&](const auto& out) { return ctx->outbox->send(out, u.ticket); }, u.output);
    switch (result) {
      case messages::send_result::queued:
        st.unsent.pop_front();
        break;
      case messages::send_result::failed:
        return stop_fatally("a call output could not be queued");  // its event is not done
      case messages::send_result::full:
        return retry_later(self);
    }
  }
  st.retry_ms = 0;
}

/// Hands an output to the outbox, behind any still waiting for room.
template <class Output>
void offer(self_ptr self, const session_context* ctx, Output out,
           messages::delivery_ticket ticket) {
  auto& st = self->state;
  if (st.unsent.empty()) {
    switch (ctx->outbox->send(out, ticket)) {
      case messages::send_result::queued:
        return;
      case messages::send_result::failed:
        return stop_fatally("a call output could not be queued");  // its event is not done
      case messages::send_result::full:
        break;
    }
    st.unsent.push_back({std::move(out), ticket});
    return retry_later(self);
  }
  st.unsent.push_back({std::move(out), ticket});
}

/// Queues what a decision asks for, tells the router, and ends the session when it is done.
/// `offset` < 0: not caused by a record (maximum duration), so nothing to report.
void emit(self_ptr self, const session_context* ctx, const call_router_actor& router,
          ivr::call_decision d, int64_t offset, int64_t event_ms) {
  auto& st = self->state;
  messages::delivery_ticket ticket{offset < 0 ? -1 : st.partition, offset};
  int32_t outputs = 0;
  // The abuse guard decides on the SMS side, where one destination's jobs are read in order
  // by one node of the cluster (actors/sms_service.cpp).
  if (d.sms_to) {
    const auto& flow = *st.logic->flow();
    messages::sms_job job;
    // Deterministic: a replay of the call produces the same id, which downstream dedupes.
    job.job = job_id{flow.version.value + "-" + st.call.value};
    job.call = st.call;
    job.account = flow.account;
    job.incoming_number = flow.incoming_number;
    job.flow_version = flow.version;
    job.flow_name = flow.name;
    job.destination = *d.sms_to;
    job.sender_id = flow.sender_id;
    job.body = flow.sms_body;
    job.short_urls = flow.short_urls;
    job.requested_at_ms = event_ms;
    job.decided_at_ms = unix_now_ms();
    offer(self, ctx, std::move(job), ticket);
    ++outputs;
    ctx->metrics->sms_jobs.fetch_add(1, std::memory_order_relaxed);
  }
  if (!d.actions.empty()) {
    messages::call_command cmd;
    cmd.call = st.call;
    cmd.gateway = st.gateway;
    cmd.seq = st.logic->commands_issued();
    cmd.issued_at_ms = unix_now_ms();
    if (event_ms > 0)
      ctx->metrics->event_to_command.observe_ms(cmd.issued_at_ms - event_ms);
    cmd.language = ctx->ivr->language;
    cmd.actions = std::move(d.actions);
    offer(self, ctx, std::move(cmd), ticket);
    ++outputs;
    ctx->metrics->commands.fetch_add(1, std::memory_order_relaxed);
  }
  // Outputs still waiting count too: the record is done only when their reports come.
  if (offset >= 0)
    self->send(router, atom::handled_v, offset, outputs);
  if (d.finished) {
    st.finished = true;
    finish_when_sent(self, ctx, router);
  }
}

}  // namespace

call_session_actor::behavior_type call_session(
    call_session_actor::stateful_pointer<call_session_state> self, const session_context* ctx,
    call_router_actor router, int32_t partition) {
  self->state.partition = partition;
  return {
      [self, ctx](session_start& s) {
        // The last call's outputs were all sent before it was reported finished.
        auto& st = self->state;
        st.logic.emplace(*ctx->ivr, std::move(s.flow), s.account_active);
        st.finished = false;
        st.reported = false;
        st.retry_ms = 0;
        ctx->metrics->live_sessions.fetch_add(1, std::memory_order_relaxed);
      },
      [self, ctx, router](const messages::call_event& ev) {
        auto& st = self->state;
        ivr::call_decision d;
        switch (ev.kind) {
          case messages::call_event_kind::started:
            st.call = ev.call;
            st.gateway = ev.gateway;
            d = st.logic->start(ev.calling);
            break;
          case messages::call_event_kind::digits_collected:
            d = st.logic->digits(ev.command_seq, ev.digits, ev.end);
            break;
          case messages::call_event_kind::ended:
            d = st.logic->ended();
            break;
          case messages::call_event_kind::prompt_finished:
            break;  // informational: commands already chain their actions
        }
        emit(self, ctx, router, std::move(d), ev.offset, ev.occurred_at_ms);
      },
      [self, ctx, router](atom::expire) {
        if (self->state.finished)
          return;  // ended already; only waiting to send its last outputs
        logger().info("event=call_expired call={}", self->state.call.value);
        emit(self, ctx, router, self->state.logic->expire(), -1, 0);
      },
      [self, ctx, router](atom::resume) {
        send_unsent(self, ctx);
        finish_when_sent(self, ctx, router);
      },
  };
}

}  // namespace ivrcast::actors
