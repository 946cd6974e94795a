#include "actors/sms_sender.hpp"

#include <algorithm>
#include <deque>
#include <map>
#include <unordered_map>

#include <caf/all.hpp>

#include "actors/log.hpp"
#include "connectors/smpp/receipt.hpp"
#include "connectors/smpp/session.hpp"
#include "connectors/smpp/submit.hpp"
#include "messages/clock.hpp"
#include "messages/errc.hpp"
#include "sms/delivery_status.hpp"
#include "sms/segment_rules.hpp"
#include "storage/delivery_log.hpp"
#include "storage/sends.hpp"

namespace ivrcast::actors {

void job_detail(const messages::sms_job& j, wire::LogDetail& d) {
  d.set_job_id(j.job.value);
  d.set_account_id(j.account.value);
  d.set_requested_at_ms(j.requested_at_ms);
  d.set_destination(j.destination);
  d.set_flow_version_id(j.flow_version.value);
  d.set_flow_name(j.flow_name);
  d.set_body(j.body);
  d.set_incoming_number(j.incoming_number);
  d.set_sender_id(j.sender_id);
}

uint64_t sender_ticket(sms::carrier c, uint64_t token) {
  return (uint64_t{1} << 60) | (static_cast<uint64_t>(c) << 56) | (token & ((1ULL << 56) - 1));
}

namespace {

namespace smpp = connectors::smpp;
using sms::delivery_status;

/// One message on its way through the sender.
struct outgoing {
  enum class phase : uint8_t { queued, fencing, ready, submitting, in_doubt, closing };
  std::shared_ptr<sms_work> w;
  std::vector<std::u16string_view> parts;
  int next_part = 0;
  std::vector<std::string> ids;
  phase ph = phase::queued;
  int attempts = 0;
  int64_t doubt_since_ms = 0;
  int64_t doubt_until_ms = 0;
  bool resume_in_doubt = false;  // taken over with an IN_FLIGHT record
  int session = -1;
  uint32_t sequence = 0;
  int64_t submitted_ms = 0;
  uint8_t reference = 0;
  int pending = 0;           // closing: delivery reports still awaited (status event and record)
  uint64_t final_token = 0;  // the delivery report of its last record
  wire::SendRecord final_record;  // its last record (SUBMITTED or CLOSED), once written
  int64_t final_offset = -1;      // where that record landed in sms.sends
  std::vector<std::pair<int32_t, int64_t>> also_done;  // the same job read again meanwhile
};

/// The sender's state machine; the actor feeds it events and ticks.
class sender_core {
 public:
  explicit sender_core(const sender_context* ctx)
      : ctx_(ctx),
        resp_ids_(smpp::parse_id_format(ctx->cfg.resp_ids).value_or(smpp::id_format::text)) {
    bound_.assign(ctx->sessions ? ctx->sessions->size() : 0, false);
    tokens_ = 1;
    last_refill_ms_ = unix_now_ms();
  }

  void on(const sender_event& e) {
    switch (e.what) {
      case sender_event::kind::work:
        take(e.work);
        break;
      case sender_event::kind::bound:
        if (e.session >= 0 && static_cast<size_t>(e.session) < bound_.size())
          bound_[static_cast<size_t>(e.session)] = true;
        break;
      case sender_event::kind::unbound:
        unbound(e.session);
        break;
      case sender_event::kind::submit_resp:
        submit_resp(e.session, e.sequence, e.status, e.id);
        break;
      case sender_event::kind::delivered:
        delivered(e.token, e.ok, e.offset);
        break;
      case sender_event::kind::drain:
        drain(e.partition);
        if (e.done)
          drains_.emplace_back(e.partition, e.done);
        break;
    }
    pump();
    report_drains();
    publish_gauges();
  }

  void tick() {
    auto now = unix_now_ms();
    // Submits unanswered for too long are in doubt; the entry stays so a late answer counts.
    for (auto& [key, o] : outstanding_)
      if (o->ph == outgoing::phase::submitting &&
          now - o->submitted_ms > ctx_->cfg.response_timeout_ms)
        doubt(o, o->submitted_ms, "no submit_sm_resp in time");
    forget_finished();
    // Settling a doubt reads RocksDB; five times a second is soon enough for a wait of seconds.
    if (now >= next_doubt_check_ms_) {
      resolve_doubts(now);
      next_doubt_check_ms_ = now + 200;
    }
    pump();
    report_drains();
    publish_gauges();
  }

  /// What scrapes read of this sender's state.
  void publish_gauges() {
    ctx_->metrics->window[carrier_index()].store(static_cast<int64_t>(outstanding_.size()),
                                                 std::memory_order_relaxed);
    ctx_->metrics->doubts[carrier_index()].store(static_cast<int64_t>(doubts_.size()),
                                                 std::memory_order_relaxed);
  }

 private:
  // -- taking up work ------------------------------------------------------------------------

  void take(std::shared_ptr<sms_work> w) {
    // A job read again (a rebalance gave its partition back) while its message is still here:
    // the message reports both offsets when it ends, and is never taken up twice.
    if (auto it = active_.find(w->msg.message_id); it != active_.end()) {
      it->second->also_done.emplace_back(w->partition, w->offset);
      return;
    }
    // The record read with the job may be older than the message: a copy of the job (forwarded
    // twice across a crash) may have been sent since. What this sender finished and the sends
    // view may not have yet is remembered; anything older the view has now.
    if (auto it = finished_.find(w->msg.message_id); it != finished_.end()) {
      w->record = it->second.record;
    } else if (auto rec = ctx_->sends->find(w->msg.message_id); rec) {
      w->record = std::move(*rec);
    } else {
      logger().error("event=sends_unreadable message={} error=\"{}\"", w->msg.message_id,
                     describe(rec.error()));
    }
    auto o = std::make_unique<outgoing>();
    o->w = std::move(w);
    active_[o->w->msg.message_id] = o.get();
    const auto& msg = o->w->msg;
    o->parts = sms::split_parts(ctx_->carrier, msg.text);
    o->reference = static_cast<uint8_t>(std::hash<std::string>{}(msg.message_id));
    // The log row is (re)announced whatever happened before: the projection keeps the first.
    emit(*o, wire::StatusEvent::ACCEPTED, delivery_status::preparing, unix_now_ms());
    if (const auto& rec = o->w->record) {
      switch (rec->state()) {
        case wire::SendRecord::SUBMITTED:
        case wire::SendRecord::CLOSED:
          reannounce(*o, *rec);
          break;
        case wire::SendRecord::IN_FLIGHT:
          o->resume_in_doubt = true;
          o->doubt_since_ms = rec->at_ms();
          [[fallthrough]];
        case wire::SendRecord::RELEASED:  // not at the carrier: goes on from its part at once
          o->next_part = rec->next_part();
          o->ids.assign(rec->smsc_ids().begin(), rec->smsc_ids().end());
          break;
        default:
          break;
      }
    }
    auto& queue = by_dest_[o->w->job.destination];
    queue.push_back(std::move(o));
    activate_front(queue);
  }

  /// Starts the destination's first message if it is waiting: one message to a destination at a
  /// time, so a receipt from that handset can only belong to the part in doubt.
  void activate_front(std::deque<std::unique_ptr<outgoing>>& queue) {
    if (!queue.empty() && queue.front()->ph == outgoing::phase::queued)
      activate(*queue.front());
  }

  /// The message was finished before (an earlier run, another owner): its last status event may
  /// have been lost with a crash, so say it again, and let the job go once that is durable.
  void reannounce(outgoing& o, const wire::SendRecord& rec) {
    ++ctx_->metrics->skipped;
    o.ph = outgoing::phase::closing;
    o.pending = 1;
    if (rec.state() == wire::SendRecord::SUBMITTED) {
      o.ids.assign(rec.smsc_ids().begin(), rec.smsc_ids().end());
      return emit(o, wire::StatusEvent::SUBMITTED, delivery_status::sent, rec.at_ms(), {}, true);
    }
    emit(o, wire::StatusEvent::FINAL,
         sms::status_from(static_cast<uint32_t>(rec.final_status()))
             .value_or(delivery_status::internal_error),
         unix_now_ms(), rec.reason(), true);
  }

  /// The message at the front of its destination's queue starts.
  void activate(outgoing& o) {
    if (o.resume_in_doubt)
      return doubt(&o, o.doubt_since_ms, "taken over in flight");
    to_fence_.push_back(&o);  // fenced by pump when the window has room
  }

  // -- records -------------------------------------------------------------------------------

  uint64_t track(outgoing& o) {
    auto token = next_token_++;
    by_token_[token] = &o;
    return sender_ticket(ctx_->carrier, token);
  }

  void put_record(outgoing& o, wire::SendRecord::State st, delivery_status final_status,
                  const std::string& reason, bool tracked = true) {
    wire::SendRecord rec;
    rec.set_message_id(o.w->msg.message_id);
    rec.set_state(st);
    rec.set_carrier(static_cast<int32_t>(ctx_->carrier) + 1);
    rec.set_next_part(o.next_part);
    for (const auto& id : o.ids)
      rec.add_smsc_ids(id);
    rec.set_at_ms(unix_now_ms());
    rec.set_destination(o.w->job.destination);
    if (st == wire::SendRecord::SUBMITTED || st == wire::SendRecord::CLOSED) {
      rec.set_account_id(o.w->job.account.value);
      rec.set_segments(o.w->msg.segments);
    }
    if (st == wire::SendRecord::CLOSED) {
      rec.set_final_status(static_cast<int32_t>(final_status));
      rec.set_reason(reason);
    }
    rec.SerializeToString(&buf_);
    auto token = tracked ? track(o) : 0;
    if (st == wire::SendRecord::SUBMITTED || st == wire::SendRecord::CLOSED) {
      o.final_token = token;
      o.final_record = std::move(rec);
    }
    ctx_->producer->produce_to(ctx_->sends_topic, o.w->partition, o.w->msg.message_id, buf_, token);
  }

  /// Publishes a status event of the message with its whole detail, so that any event can
  /// create the log row.
  void emit(outgoing& o, wire::StatusEvent::Kind kind, delivery_status st, int64_t at_ms,
            const std::string& reason = {}, bool tracked = false) {
    const auto& m = o.w->msg;
    wire::StatusEvent ev;
    ev.set_kind(kind);
    ev.set_message_id(m.message_id);
    ev.set_status(static_cast<int32_t>(st));
    ev.set_at_ms(at_ms);
    ev.set_reason(reason);
    auto& d = *ev.mutable_detail();
    job_detail(o.w->job, d);
    d.set_carrier(static_cast<int32_t>(ctx_->carrier) + 1);
    d.set_body(m.body);
    d.set_sent_length(m.length);
    d.set_segments(m.segments);
    d.set_parts(static_cast<int32_t>(o.parts.size()));
    for (const auto& l : m.links) {
      auto* sl = d.add_links();
      sl->set_code(l.code);
      sl->set_url(l.url);
    }
    if (kind == wire::StatusEvent::SUBMITTED)
      for (const auto& id : o.ids)
        ev.add_smsc_ids(id);
    ev.SerializeToString(&buf_);
    ctx_->producer->produce(ctx_->status_topic, m.message_id, buf_, tracked ? track(o) : 0);
  }

  /// Makes "part next_part may be at the carrier" durable before it goes.
  void fence(outgoing& o) {
    ++fencing_;
    o.ph = outgoing::phase::fencing;
    put_record(o, wire::SendRecord::IN_FLIGHT, delivery_status::preparing, {});
  }

  // A message is done only once both its last status event and its last record are durable:
  // with the record alone, a crash could commit the job and lose the event the log needs.
  void close_submitted(outgoing& o) {
    count_end(delivery_status::sent);
    o.ph = outgoing::phase::closing;
    o.pending = 2;
    emit(o, wire::StatusEvent::SUBMITTED, delivery_status::sent, unix_now_ms(), {}, true);
    put_record(o, wire::SendRecord::SUBMITTED, delivery_status::sent, {});
  }

  void close(outgoing& o, delivery_status st, const std::string& reason) {
    count_end(st);
    o.ph = outgoing::phase::closing;
    logger().info("event=sms_closed carrier={} message={} status={} reason=\"{}\"",
                  sms::key(ctx_->carrier), o.w->msg.message_id, sms::label(st), reason);
    o.pending = 2;
    emit(o, wire::StatusEvent::FINAL, st, unix_now_ms(), reason, true);
    put_record(o, wire::SendRecord::CLOSED, st, reason);
  }

  void delivered(uint64_t ticket, bool ok, int64_t offset) {
    auto token = ticket & ((1ULL << 56) - 1);
    auto it = by_token_.find(token);
    if (it == by_token_.end())
      return;  // drained meanwhile
    auto* o = it->second;
    by_token_.erase(it);
    if (ticket == o->final_token)
      o->final_offset = offset;
    if (!ok) {
      // Only a fatal producer error loses a record; the job is not done, a restart redoes it.
      logger().error("event=send_record_lost carrier={} message={}", sms::key(ctx_->carrier),
                     o->w->msg.message_id);
      return;
    }
    if (o->ph == outgoing::phase::fencing) {
      --fencing_;
      o->ph = outgoing::phase::ready;
      ready_.push_back(o);
    } else if (o->ph == outgoing::phase::closing && --o->pending == 0) {
      finish(*o);
    }
  }

  // -- submitting ----------------------------------------------------------------------------

  void pump() {
    auto now = unix_now_ms();
    auto rate = ctx_->rate.load(std::memory_order_relaxed);
    size_t unsendable = 0;
    tokens_ = std::min(std::max(1.0, rate / 50), tokens_ + (now - last_refill_ms_) * rate / 1000);
    last_refill_ms_ = now;
    if (now < paused_until_ms_)
      return;
    // Fence no further ahead than the window: every fenced part is one a crash leaves in doubt.
    auto window = static_cast<size_t>(ctx_->cfg.window);
    while (!to_fence_.empty() && fencing_ + ready_.size() + outstanding_.size() < window) {
      auto* o = to_fence_.front();
      to_fence_.pop_front();
      fence(*o);
    }
    while (!ready_.empty() && outstanding_.size() < static_cast<size_t>(ctx_->cfg.window) &&
           tokens_ >= 1) {
      auto* o = ready_.front();
      if (o->ph != outgoing::phase::ready) {
        ready_.pop_front();  // drained or resolved meanwhile
        continue;
      }
      auto max_age_ms = int64_t{ctx_->cfg.max_age_s} * 1000;
      if (o->next_part == 0 && o->ids.empty() && now - o->w->job.decided_at_ms > max_age_ms) {
        ready_.pop_front();
        close(*o, delivery_status::internal_error, "not sent within the maximum message age");
        continue;
      }
      auto session = pick_session(o->w->partition);
      if (session < 0) {
        // Its partition's binds are down: the next ready message may belong to another.
        ready_.pop_front();
        ready_.push_back(o);
        if (++unsendable >= ready_.size())
          return;  // nothing bound for any of them: `bound` pumps again
        continue;
      }
      unsendable = 0;
      const auto& rule = sms::rule_of(ctx_->carrier);
      auto sm = smpp::make_submit(
          o->w->job.sender_id, o->w->job.destination, o->parts[static_cast<size_t>(o->next_part)],
          {o->next_part, static_cast<int>(o->parts.size()), o->reference}, rule.payload_tlv);
      auto seq = (*ctx_->sessions)[static_cast<size_t>(session)]->submit(sm);
      if (seq == 0) {
        bound_[static_cast<size_t>(session)] = false;
        continue;
      }
      ready_.pop_front();
      tokens_ -= 1;
      o->ph = outgoing::phase::submitting;
      o->session = session;
      o->sequence = seq;
      o->submitted_ms = now;
      outstanding_[{session, seq}] = o;
      ++ctx_->metrics->submits[carrier_index()];
    }
  }

  size_t carrier_index() const { return static_cast<size_t>(ctx_->carrier); }

  void count_end(delivery_status st) {
    ++ctx_->metrics->ended[carrier_index()][static_cast<size_t>(st)];
  }

  /// A bound session of `partition`'s bind slots, round robin.
  int pick_session(int32_t partition) {
    for (size_t k = 0; k < bound_.size(); ++k) {
      auto s = (rr_ + k) % bound_.size();
      if (bound_[s] && ctx_->slot_partition[s] == partition) {
        rr_ = s + 1;
        return static_cast<int>(s);
      }
    }
    return -1;
  }

  void submit_resp(int session, uint32_t seq, uint32_t status, const std::string& id) {
    auto it = outstanding_.find({session, seq});
    if (it == outstanding_.end())
      return;  // an answer for a submit given up on (its session went away)
    auto* o = it->second;
    outstanding_.erase(it);
    if (o->ph == outgoing::phase::in_doubt)
      forget_doubt(o);  // a late answer settles the doubt
    else if (o->ph != outgoing::phase::submitting)
      return;
    auto outcome = sms::map_submit_status(status);
    switch (outcome.verdict) {
      case sms::submit_verdict::accepted:
        ++ctx_->metrics->parts_accepted;
        backoff_ms_ = 0;
        return accepted(*o, smpp::normalise_message_id(id, resp_ids_));
      case sms::submit_verdict::retry_later:
        ++ctx_->metrics->throttled;
        if (++o->attempts > ctx_->cfg.max_retries)
          return close(*o, delivery_status::carrier_error,
                       "refused " + std::to_string(o->attempts) + " times (status " +
                           std::to_string(status) + ")");
        // Pause this carrier only; the part goes first when it resumes, keeping the order.
        backoff_ms_ =
            backoff_ms_ == 0 ? ctx_->cfg.retry_backoff_ms : std::min(backoff_ms_ * 2, 30000);
        paused_until_ms_ = unix_now_ms() + backoff_ms_;
        o->ph = outgoing::phase::ready;
        ready_.push_front(o);
        return;
      case sms::submit_verdict::rejected:
        return close(*o, o->next_part == 0 ? outcome.status : delivery_status::partially_failed,
                     "submit_sm refused with status " + std::to_string(status));
    }
  }

  void accepted(outgoing& o, std::string id) {
    o.ids.push_back(std::move(id));
    o.attempts = 0;
    ++o.next_part;
    if (static_cast<size_t>(o.next_part) < o.parts.size())
      return fence(o);
    close_submitted(o);
  }

  // -- doubt ---------------------------------------------------------------------------------

  void doubt(outgoing* o, int64_t since_ms, const char* why) {
    if (o->ph == outgoing::phase::in_doubt)
      return;
    ++ctx_->metrics->in_doubt;
    logger().info("event=sms_in_doubt carrier={} message={} part={} reason=\"{}\"",
                  sms::key(ctx_->carrier), o->w->msg.message_id, o->next_part, why);
    o->ph = outgoing::phase::in_doubt;
    o->doubt_since_ms = since_ms;
    o->doubt_until_ms = unix_now_ms() + ctx_->cfg.in_doubt_wait_ms;
    doubts_.push_back(o);
  }

  void forget_doubt(outgoing* o) { std::erase(doubts_, o); }

  void unbound(int session) {
    if (session >= 0 && static_cast<size_t>(session) < bound_.size())
      bound_[static_cast<size_t>(session)] = false;
    for (auto it = outstanding_.begin(); it != outstanding_.end();) {
      if (it->first.first == session) {
        doubt(it->second, it->second->submitted_ms, "connection lost before the answer");
        it = outstanding_.erase(it);
      } else {
        ++it;
      }
    }
  }

  /// A part in doubt is settled by a newer record (another owner finished it), by its receipt
  /// (the carrier has it), or after the wait by sending it again.
  void resolve_doubts(int64_t now) {
    // By then the log has long matched an adopted id: its receipt is no longer parked.
    std::erase_if(adopted_, [&](const auto& kv) { return now - kv.second > 600000; });
    // The proof of a part in doubt can only come while a session is bound and once the log has
    // read its backlog: until then the wait does not run.
    bool can_tell =
        std::find(bound_.begin(), bound_.end(), true) != bound_.end() && ctx_->log_live->load();
    for (size_t i = 0; i < doubts_.size();) {
      auto* o = doubts_[i];
      if (auto rec = ctx_->sends->find(o->w->msg.message_id); rec && *rec) {
        const auto& r = **rec;
        if (r.state() == wire::SendRecord::SUBMITTED || r.state() == wire::SendRecord::CLOSED) {
          doubts_.erase(doubts_.begin() + static_cast<ptrdiff_t>(i));
          drop_outstanding(o);
          reannounce(*o, r);
          continue;
        }
        if (r.state() == wire::SendRecord::RELEASED && r.next_part() >= o->next_part &&
            r.at_ms() >= o->doubt_since_ms) {
          // The owner that wrote the fence let go before sending: not at the carrier.
          doubts_.erase(doubts_.begin() + static_cast<ptrdiff_t>(i));
          drop_outstanding(o);
          o->next_part = r.next_part();
          o->ids.assign(r.smsc_ids().begin(), r.smsc_ids().end());
          o->ph = outgoing::phase::ready;
          ready_.push_front(o);
          continue;
        }
        if (r.next_part() > o->next_part) {  // another owner moved on: follow it
          o->next_part = r.next_part();
          o->ids.assign(r.smsc_ids().begin(), r.smsc_ids().end());
          o->doubt_since_ms = r.at_ms();
          o->doubt_until_ms = now + ctx_->cfg.in_doubt_wait_ms;
        }
      }
      // Receipts carry the receiving node's clock: allow a second of skew.
      // The log already has the message's submit: its SUBMITTED status event made it before a
      // crash and its SUBMITTED record did not (they go to different topics).
      if (auto ids = ctx_->log->submitted_ids(o->w->msg.message_id);
          ids && ids->size() == o->parts.size()) {
        doubts_.erase(doubts_.begin() + static_cast<ptrdiff_t>(i));
        drop_outstanding(o);
        o->ids = std::move(*ids);
        o->next_part = static_cast<int>(o->parts.size());
        close_submitted(*o);
        continue;
      }
      // Not a receipt of this message's earlier parts, which may well arrive after this part's
      // fence, nor one adopted already and not yet matched by the log.
      auto taken = [&](const std::string& id) {
        return adopted_.contains(id) || std::find(o->ids.begin(), o->ids.end(), id) != o->ids.end();
      };
      auto id = ctx_->log->unmatched_receipt(ctx_->carrier, o->w->job.destination,
                                             o->doubt_since_ms - 1000, taken);
      if (id && *id) {
        ++ctx_->metrics->adopted;
        adopted_.emplace(**id, now);
        doubts_.erase(doubts_.begin() + static_cast<ptrdiff_t>(i));
        drop_outstanding(o);
        accepted(*o, **id);
        continue;
      }
      if (!can_tell)
        o->doubt_until_ms = std::max(o->doubt_until_ms, now + ctx_->cfg.in_doubt_wait_ms);
      if (now >= o->doubt_until_ms) {
        ++ctx_->metrics->resubmitted;
        logger().warn("event=sms_resubmit carrier={} message={} part={}", sms::key(ctx_->carrier),
                      o->w->msg.message_id, o->next_part);
        doubts_.erase(doubts_.begin() + static_cast<ptrdiff_t>(i));
        drop_outstanding(o);
        o->ph = outgoing::phase::ready;
        ready_.push_front(o);
        continue;
      }
      ++i;
    }
  }

  /// A finished message is remembered until the sends view has its last record.
  void forget_finished() {
    while (!finished_order_.empty()) {
      const auto& f = finished_order_.front();
      if (ctx_->sends->applied(f.partition) < f.offset)
        return;
      if (auto it = finished_.find(f.message_id);
          it != finished_.end() && it->second.offset == f.offset)
        finished_.erase(it);
      finished_order_.pop_front();
    }
  }

  void drop_outstanding(outgoing* o) {
    for (auto it = outstanding_.begin(); it != outstanding_.end(); ++it)
      if (it->second == o) {
        outstanding_.erase(it);
        return;
      }
  }

  // -- ending --------------------------------------------------------------------------------

  /// Ends a message (what it wrote last is durable), reports its job done and starts the next
  /// one to its destination.
  void finish(outgoing& o) {
    ++ctx_->metrics->finished;
    if (o.final_offset >= 0) {
      finished_order_.push_back({o.w->partition, o.final_offset, o.w->msg.message_id});
      finished_[o.w->msg.message_id] = {std::move(o.final_record), o.final_offset};
    }
    ctx_->job_done(o.w->partition, o.w->offset);
    for (const auto& [partition, offset] : o.also_done)
      ctx_->job_done(partition, offset);
    active_.erase(o.w->msg.message_id);
    auto it = by_dest_.find(o.w->job.destination);
    if (it == by_dest_.end())
      return;
    auto& queue = it->second;
    std::erase_if(queue, [&](const std::unique_ptr<outgoing>& p) { return p.get() == &o; });
    if (queue.empty())
      by_dest_.erase(it);
    else
      activate_front(queue);
  }

  /// A drain is done once none of the partition's submits awaits its answer: the partition's
  /// sessions may then unbind without leaving a part in doubt.
  void report_drains() {
    for (auto it = drains_.begin(); it != drains_.end();) {
      auto p = it->first;
      bool waiting = std::any_of(outstanding_.begin(), outstanding_.end(), [&](const auto& kv) {
        return kv.second->w->partition == p && kv.second->ph == outgoing::phase::submitting;
      });
      if (waiting) {
        ++it;
        continue;
      }
      it->second();
      it = drains_.erase(it);
    }
  }

  /// Lets a revoked partition go: its messages not on the wire now are left to the new owner,
  /// which finds their records (or none) in sms.sends.
  void drain(int32_t partition) {
    auto busy = [](const outgoing& o) {
      return o.ph == outgoing::phase::submitting || o.ph == outgoing::phase::closing;
    };
    for (auto it = by_dest_.begin(); it != by_dest_.end();) {
      auto& queue = it->second;
      std::erase_if(queue, [&](const std::unique_ptr<outgoing>& p) {
        if (p->w->partition != partition || busy(*p))
          return false;
        // Fenced and not sent: say so, or the next owner would wait out a doubt. The record
        // follows the fence in the partition; the node flushes it before letting go.
        if (p->ph == outgoing::phase::fencing)
          --fencing_;  // its delivery report finds no token any more
        if (p->ph == outgoing::phase::ready || p->ph == outgoing::phase::fencing) {
          ++ctx_->metrics->released;
          put_record(*p, wire::SendRecord::RELEASED, delivery_status::preparing, {}, false);
        }
        std::erase(doubts_, p.get());
        std::erase(ready_, p.get());
        std::erase(to_fence_, p.get());
        active_.erase(p->w->msg.message_id);
        for (auto t = by_token_.begin(); t != by_token_.end();)
          t = t->second == p.get() ? by_token_.erase(t) : std::next(t);
        drop_outstanding(p.get());
        return true;
      });
      it = queue.empty() ? by_dest_.erase(it) : std::next(it);
    }
  }

  const sender_context* ctx_;
  smpp::id_format resp_ids_;
  std::unordered_map<std::string, std::deque<std::unique_ptr<outgoing>>> by_dest_;
  std::unordered_map<uint64_t, outgoing*> by_token_;
  std::unordered_map<std::string, outgoing*> active_;  // by message id
  std::map<std::pair<int, uint32_t>, outgoing*> outstanding_;
  std::deque<outgoing*> to_fence_;  // active messages whose first part waits for the window
  size_t fencing_ = 0;              // fences produced, not yet confirmed
  std::deque<outgoing*> ready_;
  std::vector<outgoing*> doubts_;
  std::vector<std::pair<int32_t, std::function<void()>>> drains_;  // waiting for answers
  std::unordered_map<std::string, int64_t> adopted_;  // id → when; forgotten after 10 min
  struct finished_message {
    wire::SendRecord record;
    int64_t offset;
  };
  struct finished_entry {
    int32_t partition;
    int64_t offset;
    std::string message_id;
  };
  std::unordered_map<std::string, finished_message> finished_;  // not yet in the sends view
  std::deque<finished_entry> finished_order_;
  std::vector<bool> bound_;
  double tokens_ = 0;
  int64_t last_refill_ms_ = 0;
  int64_t paused_until_ms_ = 0;
  int64_t next_doubt_check_ms_ = 0;
  int backoff_ms_ = 0;
  size_t rr_ = 0;
  uint64_t next_token_ = 1;
  std::string buf_;
};

}  // namespace

sms_sender_actor::behavior_type sms_sender(sms_sender_actor::pointer self,
                                           const sender_context* ctx) {
  auto core = std::make_shared<sender_core>(ctx);
  self->delayed_send(self, std::chrono::milliseconds{20}, atom::tick_v);
  return {
      [core](const sender_event& e) { core->on(e); },
      [self, core](atom::tick) {
        core->tick();
        self->delayed_send(self, std::chrono::milliseconds{20}, atom::tick_v);
      },
  };
}

}  // namespace ivrcast::actors
