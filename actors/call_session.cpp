#include "actors/call_session.hpp"

#include <caf/all.hpp>

#include "actors/fatal.hpp"
#include "actors/log.hpp"
#include "ivr/phone.hpp"
#include "messages/clock.hpp"

namespace ivrcast::actors {
namespace {

using self_ptr = call_session_actor::stateful_pointer<call_session_state>;

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
    if (!ctx->outbox->send(job, ticket))
      return stop_fatally("an SMS job could not be queued");  // its event is not done
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
    if (!ctx->outbox->send(cmd, ticket))
      return stop_fatally("a call command could not be queued");  // its event is not done
    ++outputs;
    ctx->metrics->commands.fetch_add(1, std::memory_order_relaxed);
  }
  if (offset >= 0)
    self->send(router, atom::handled_v, offset, outputs);
  if (d.finished) {
    ctx->metrics->outcomes[static_cast<size_t>(st.logic->outcome())].fetch_add(
        1, std::memory_order_relaxed);
    ctx->metrics->live_sessions.fetch_sub(1, std::memory_order_relaxed);
    self->send(router, atom::finished_v, st.call);
    self->quit();
  }
}

}  // namespace

call_session_actor::behavior_type call_session(
    call_session_actor::stateful_pointer<call_session_state> self, const session_context* ctx,
    call_router_actor router, int32_t partition,
    std::shared_ptr<const messages::published_flow> flow, bool account_active) {
  self->state.logic.emplace(*ctx->ivr, std::move(flow), account_active);
  self->state.partition = partition;
  ctx->metrics->live_sessions.fetch_add(1, std::memory_order_relaxed);
  return {
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
        logger().info("event=call_expired call={}", self->state.call.value);
        emit(self, ctx, router, self->state.logic->expire(), -1, 0);
      },
  };
}

}  // namespace ivrcast::actors
