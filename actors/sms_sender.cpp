#include "actors/sms_sender.hpp"

#include <unordered_map>

#include <caf/all.hpp>

#include "actors/log.hpp"
#include "actors/tsan_handoff.hpp"
#include "connectors/smpp/receipt.hpp"
#include "connectors/smpp/session.hpp"
#include "connectors/smpp/submit.hpp"
#include "messages/clock.hpp"
#include "messages/errc.hpp"
#include "messages/text.hpp"
#include "sms/segment_rules.hpp"
#include "storage/delivery_log.hpp"
#include "storage/sends.hpp"

namespace ivrcast::actors {
namespace {

namespace smpp = connectors::smpp;

/// The I/O around one carrier's sms::sender_logic: what comes in becomes an input, what the
/// logic decides is done here, in order.
class sender_driver {
 public:
  explicit sender_driver(const sender_context* ctx)
      : ctx_(ctx),
        logic_(ctx->carrier, ctx->cfg, ctx->slot_partition, unix_now_ms()),
        resp_ids_(smpp::parse_id_format(ctx->cfg.resp_ids).value_or(smpp::id_format::text)),
        applied_(static_cast<size_t>(std::max(ctx->partitions, 1)), -1) {}

  void on(sender_event& e) {
    auto now = unix_now_ms();
    switch (e.what) {
      case sender_event::kind::work:
        take(std::move(e.work), now);
        break;
      case sender_event::kind::bound:
        logic_.bound(e.session, now, out_);
        break;
      case sender_event::kind::unbound:
        std::erase_if(keys_, [&](const auto& kv) { return session_of(kv.first) == e.session; });
        logic_.unbound(e.session, now, out_);
        break;
      case sender_event::kind::submit_resp:
        if (auto it = keys_.find(seq_key(e.session, e.sequence)); it != keys_.end()) {
          auto key = it->second;
          keys_.erase(it);
          logic_.submit_resp(key, e.status, smpp::normalise_message_id(e.id, resp_ids_), now, out_);
        }
        break;
      case sender_event::kind::delivered:
        if (!e.ok)
          ctx_->fatal("a record or status event of carrier " +
                      std::string{sms::key(ctx_->carrier)} + " was not delivered");
        logic_.delivered(e.token, e.ok, e.offset, now, out_);
        break;
      case sender_event::kind::drain:
        if (e.done)
          drains_.emplace_back(e.partition, std::move(e.done));
        logic_.drain(e.partition, now, out_);
        break;
    }
    run(now);
    publish_held();
    // Held counted before the job leaves the queue: the sum the consumer reads never falls short.
    if (e.what == sender_event::kind::work)
      ctx_->metrics->queued[index()].fetch_sub(1, std::memory_order_release);
  }

  void tick() {
    auto now = unix_now_ms();
    for (size_t p = 0; p < applied_.size(); ++p)
      applied_[p] = ctx_->sends->applied(static_cast<int32_t>(p));
    logic_.tick(now, ctx_->rate.load(std::memory_order_relaxed), applied_, out_);
    run(now);
    // Settling a doubt reads the sends view and the delivery log.
    for (auto& q : logic_.doubts_due(now)) {
      logic_.settle(q.handle, evidence(q), ctx_->log_live->load(), now, out_);
      run(now);
    }
    publish();
    publish_held();
  }

 private:
  static uint64_t seq_key(int session, uint32_t sequence) {
    return (static_cast<uint64_t>(static_cast<uint32_t>(session)) << 32) | sequence;
  }
  static int session_of(uint64_t k) { return static_cast<int>(k >> 32); }

  /// The record is read now, when the sender takes the job up: the one read with the job may
  /// be older than a copy of it sent since (a job forwarded twice across a crash).
  void take(std::shared_ptr<sms::send_work> w, int64_t now) {
    if (!logic_.finished_record(w->msg.message_id)) {
      if (auto rec = ctx_->sends->find(w->msg.message_id); rec)
        w->record = std::move(*rec);
      else
        return ctx_->fatal("the sends view is unreadable: " + describe(rec.error()));
    }
    logic_.take(std::move(w), now, out_);
  }

  sms::doubt_evidence evidence(const sms::doubt_query& q) {
    sms::doubt_evidence ev;
    if (auto rec = ctx_->sends->find(q.message_id); rec)
      ev.record = std::move(*rec);
    else
      logger().error("event=sends_unreadable error=\"{}\"", describe(rec.error()));
    if (auto ids = ctx_->log->submitted_ids(q.message_id); ids)
      ev.submitted_ids = std::move(*ids);
    else
      logger().error("event=delivery_log_unreadable error=\"{}\"", describe(ids.error()));
    auto receipt = ctx_->log->unmatched_receipt(
        ctx_->carrier, q.destination, q.receipts_since_ms,
        [&](const std::string& id) { return logic_.receipt_taken(q.handle, id); });
    if (receipt)
      ev.receipt = std::move(*receipt);
    else
      logger().error("event=delivery_log_unreadable error=\"{}\"", describe(receipt.error()));
    return ev;
  }

  /// Does what the logic decided; a decision may lead to more (a refused submit).
  void run(int64_t now) {
    for (size_t i = 0; i < out_.size(); ++i) {
      auto a = std::move(out_[i]);
      std::visit([&](auto& x) { act(x, now); }, a);
    }
    out_.clear();
  }

  void act(sms::put_record& r, int64_t) {
    r.record.SerializeToString(&buf_);
    if (!ctx_->producer->produce_to(ctx_->sends_topic, r.partition, r.record.message_id(), buf_,
                                    r.token))
      ctx_->fatal("a send record could not be queued");
  }

  void act(sms::emit_status& e, int64_t) {
    e.event.SerializeToString(&buf_);
    if (!ctx_->producer->produce(ctx_->status_topic, e.event.message_id(), buf_, e.token))
      ctx_->fatal("a status event could not be queued");
  }

  void act(sms::submit_part& s, int64_t now) {
    const auto& w = *s.work;
    const auto& rule = sms::rule_of(ctx_->carrier);
    auto sm = smpp::make_submit(
        w.job.sender_id, w.job.destination, w.parts[static_cast<size_t>(s.part)],
        {s.part, static_cast<int>(w.parts.size()), w.reference}, rule.payload_tlv);
    auto seq = (*ctx_->sessions)[static_cast<size_t>(s.session)]->submit(sm);
    if (seq == 0)
      return logic_.submit_failed(s.key, now, out_);
    keys_[seq_key(s.session, seq)] = s.key;
  }

  void act(sms::job_done& d, int64_t) { ctx_->job_done(d.partition, d.offset); }

  void act(sms::drained& d, int64_t) {
    for (auto it = drains_.begin(); it != drains_.end();) {
      if (it->first != d.partition) {
        ++it;
        continue;
      }
      it->second();
      it = drains_.erase(it);
    }
  }

  void act(sms::sender_note& n, int64_t) {
    auto carrier = sms::key(ctx_->carrier);
    switch (n.what) {
      case sms::sender_note::kind::in_doubt:
        logger().info("event=sms_in_doubt carrier={} message={} part={} reason=\"{}\"", carrier,
                      n.message_id, n.part, n.reason);
        break;
      case sms::sender_note::kind::resubmit:
        logger().warn("event=sms_resubmit carrier={} message={} part={}", carrier, n.message_id,
                      n.part);
        break;
      case sms::sender_note::kind::closed:
        logger().info("event=sms_closed carrier={} message={} status={} reason=\"{}\"", carrier,
                      n.message_id, sms::label(n.status), n.reason);
        break;
    }
  }

  size_t index() const { return static_cast<size_t>(ctx_->carrier); }

  /// What the consumer's intake limit reads, after every input: a job ended makes room at once.
  void publish_held() {
    auto held = static_cast<int64_t>(logic_.held());
    auto& m = *ctx_->metrics;
    m.held[index()].store(held, std::memory_order_relaxed);
    if (held > m.held_peak[index()].load(std::memory_order_relaxed))
      m.held_peak[index()].store(held, std::memory_order_relaxed);
  }

  /// What scrapes read: the logic's counts, added to the node's as they grow.
  void publish() {
    const auto& c = logic_.counts();
    auto& m = *ctx_->metrics;
    auto i = static_cast<size_t>(ctx_->carrier);
    auto add = [](std::atomic<uint64_t>& to, uint64_t now, uint64_t& before) {
      to.fetch_add(now - before, std::memory_order_relaxed);
      before = now;
    };
    add(m.submits[i], c.submits, seen_.submits);
    add(m.parts_accepted, c.parts_accepted, seen_.parts_accepted);
    add(m.throttled, c.throttled, seen_.throttled);
    add(m.in_doubt, c.in_doubt, seen_.in_doubt);
    add(m.adopted, c.adopted, seen_.adopted);
    add(m.resubmitted, c.resubmitted, seen_.resubmitted);
    add(m.skipped, c.skipped, seen_.skipped);
    add(m.finished, c.finished, seen_.finished);
    add(m.released, c.released, seen_.released);
    for (size_t st = 0; st < c.ended.size(); ++st)
      add(m.ended[i][st], c.ended[st], seen_.ended[st]);
    m.window[i].store(static_cast<int64_t>(c.window), std::memory_order_relaxed);
    m.doubts[i].store(static_cast<int64_t>(c.doubts), std::memory_order_relaxed);
  }

  const sender_context* ctx_;
  sms::sender_logic logic_;
  smpp::id_format resp_ids_;
  std::vector<int64_t> applied_;
  std::vector<sms::sender_action> out_;
  std::unordered_map<uint64_t, uint64_t> keys_;  // (session, sequence) → the logic's submit key
  std::vector<std::pair<int32_t, std::function<void()>>> drains_;  // waiting for `drained`
  sms::sender_counts seen_;  // what publish() has added to the node's metrics
  std::string buf_;
};

}  // namespace

sms_sender_actor::behavior_type sms_sender(sms_sender_actor::pointer self,
                                           const sender_context* ctx) {
  auto driver = std::make_shared<sender_driver>(ctx);
  self->delayed_send(self, std::chrono::milliseconds{20}, atom::tick_v);
  return {
      [self, driver](sender_event& e) {
        tsan_turn turn{self};
        driver->on(e);
      },
      [self, driver](atom::tick) {
        tsan_turn turn{self};
        driver->tick();
        self->delayed_send(self, std::chrono::milliseconds{20}, atom::tick_v);
      },
  };
}

void send_event(const sms_sender_actor& sender, sender_event e) {
  tsan_handoff(sender);
  caf::anon_send(sender, std::move(e));
}

}  // namespace ivrcast::actors
