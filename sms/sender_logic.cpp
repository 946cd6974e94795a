#include "sms/sender_logic.hpp"

#include <algorithm>
#include <unordered_set>

#include "messages/assert.hpp"
#include "sms/segment_rules.hpp"

namespace ivrcast::sms {

void split_work(send_work& w) {
  w.parts = split_parts(w.msg.via, w.msg.text);
  w.reference = static_cast<uint8_t>(std::hash<std::string>{}(w.msg.message_id));
}

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

/// One message on its way through the sender.
struct sender_logic::message {
  enum class phase : uint8_t { queued, fencing, ready, submitting, in_doubt, closing };
  std::shared_ptr<send_work> w;
  int parts = 0;
  int next_part = 0;
  std::vector<std::string> ids;
  phase ph = phase::queued;
  int attempts = 0;
  int64_t doubt_since_ms = 0;
  int64_t doubt_until_ms = 0;
  bool resume_in_doubt = false;  // taken over with an IN_FLIGHT record
  uint64_t handle = 0;           // names it in doubt_query
  int session = -1;
  uint64_t key = 0;  // of its submit awaiting an answer
  int64_t submitted_ms = 0;
  int pending = 0;           // closing: delivery reports still awaited (status event and record)
  uint64_t final_token = 0;  // the delivery report of its last record
  wire::SendRecord final_record;  // its last record (SUBMITTED or CLOSED), once written
  int64_t final_offset = -1;      // where that record landed in sms.sends
  std::vector<std::pair<int32_t, int64_t>> also_done;  // the same job read again meanwhile
};

sender_logic::sender_logic(carrier c, const config::carrier_settings& cfg,
                           std::vector<int32_t> slot_partition, int64_t now)
    : carrier_(c),
      cfg_(cfg),
      slot_partition_(std::move(slot_partition)),
      bound_(slot_partition_.size(), false),
      last_refill_ms_(now) {}

sender_logic::~sender_logic() = default;

uint64_t sender_logic::ticket(uint64_t token) const {
  return (uint64_t{1} << 60) | (static_cast<uint64_t>(carrier_) << 56) |
         (token & ((1ULL << 56) - 1));
}

// -- taking up work ----------------------------------------------------------------------------

void sender_logic::take(std::shared_ptr<send_work> w, int64_t now,
                        std::vector<sender_action>& out) {
  bury();
  // A job read again (a rebalance gave its partition back) while its message is still here:
  // the message reports both offsets when it ends, and is never taken up twice.
  if (auto it = active_.find(w->msg.message_id); it != active_.end()) {
    it->second->also_done.emplace_back(w->partition, w->offset);
    return;
  }
  // What this sender finished and the sends view may not have yet outranks the view.
  if (const auto* rec = finished_record(w->msg.message_id))
    w->record = *rec;
  auto m = std::make_unique<message>();
  m->w = std::move(w);
  m->parts = static_cast<int>(m->w->parts.size());
  m->handle = next_handle_++;
  active_[m->w->msg.message_id] = m.get();
  // The log row is (re)announced whatever happened before: the projection keeps the first.
  emit(*m, wire::StatusEvent::ACCEPTED, delivery_status::preparing, now, {}, false, out);
  if (const auto& rec = m->w->record) {
    switch (rec->state()) {
      case wire::SendRecord::SUBMITTED:
      case wire::SendRecord::CLOSED:
        reannounce(*m, *rec, now, out);
        break;
      case wire::SendRecord::IN_FLIGHT:
        m->resume_in_doubt = true;
        m->doubt_since_ms = rec->at_ms();
        [[fallthrough]];
      case wire::SendRecord::RELEASED:  // not at the carrier: goes on from its part at once
        m->next_part = rec->next_part();
        m->ids.assign(rec->smsc_ids().begin(), rec->smsc_ids().end());
        break;
      default:
        break;
    }
  }
  auto& queue = by_dest_[m->w->job.destination];
  queue.push_back(std::move(m));
  activate_front(queue, now, out);
  after(now, out);
}

const wire::SendRecord* sender_logic::finished_record(const std::string& message_id) const {
  auto it = finished_.find(message_id);
  return it == finished_.end() ? nullptr : &it->second.record;
}

/// Starts the destination's first message if it is waiting: one message to a destination at a
/// time, so a receipt from that handset can only belong to the part in doubt.
void sender_logic::activate_front(std::deque<std::unique_ptr<message>>& queue, int64_t now,
                                  std::vector<sender_action>& out) {
  if (queue.empty() || queue.front()->ph != message::phase::queued)
    return;
  auto& m = *queue.front();
  IVRCAST_ASSERT(m.parts > 0, "message {} has no parts", m.w->msg.message_id);
  if (m.resume_in_doubt)
    return doubt(m, m.doubt_since_ms, "taken over in flight", now, out);
  to_fence_.push_back(&m);  // fenced by pump when the window has room
}

/// The message was finished before (an earlier run, another owner): its last status event may
/// have been lost with a crash, so say it again, and let the job go once that is durable.
void sender_logic::reannounce(message& m, const wire::SendRecord& rec, int64_t now,
                              std::vector<sender_action>& out) {
  ++counts_.skipped;
  m.ph = message::phase::closing;
  m.pending = 1;
  if (rec.state() == wire::SendRecord::SUBMITTED) {
    m.ids.assign(rec.smsc_ids().begin(), rec.smsc_ids().end());
    return emit(m, wire::StatusEvent::SUBMITTED, delivery_status::sent, rec.at_ms(), {}, true, out);
  }
  emit(m, wire::StatusEvent::FINAL,
       status_from(static_cast<uint32_t>(rec.final_status()))
           .value_or(delivery_status::internal_error),
       now, rec.reason(), true, out);
}

// -- records and events ------------------------------------------------------------------------

uint64_t sender_logic::track(message& m) {
  auto token = next_token_++;
  by_token_[token] = &m;
  return ticket(token);
}

void sender_logic::record(message& m, wire::SendRecord::State st, delivery_status final_status,
                          const std::string& reason, bool tracked, int64_t now,
                          std::vector<sender_action>& out) {
  put_record p{m.w->partition, {}, tracked ? track(m) : 0};
  auto& rec = p.record;
  rec.set_message_id(m.w->msg.message_id);
  rec.set_state(st);
  rec.set_carrier(static_cast<int32_t>(carrier_) + 1);
  rec.set_next_part(m.next_part);
  for (const auto& id : m.ids)
    rec.add_smsc_ids(id);
  rec.set_at_ms(now);
  rec.set_destination(m.w->job.destination);
  if (st == wire::SendRecord::CLOSED) {
    rec.set_final_status(static_cast<int32_t>(final_status));
    rec.set_reason(reason);
  }
  if (st == wire::SendRecord::SUBMITTED || st == wire::SendRecord::CLOSED) {
    rec.set_account_id(m.w->job.account.value);
    rec.set_segments(m.w->msg.segments);
    m.final_token = p.token;
    m.final_record = rec;  // what a copy of the job read before the view has it is told
  }
  out.emplace_back(std::move(p));
}

/// A status event of the message with its whole detail, so that any event can create the row.
void sender_logic::emit(message& m, wire::StatusEvent::Kind kind, delivery_status st, int64_t at_ms,
                        const std::string& reason, bool tracked, std::vector<sender_action>& out) {
  const auto& msg = m.w->msg;
  emit_status e{{}, tracked ? track(m) : 0};
  auto& ev = e.event;
  ev.set_kind(kind);
  ev.set_message_id(msg.message_id);
  ev.set_status(static_cast<int32_t>(st));
  ev.set_at_ms(at_ms);
  ev.set_reason(reason);
  auto& d = *ev.mutable_detail();
  job_detail(m.w->job, d);
  d.set_carrier(static_cast<int32_t>(carrier_) + 1);
  d.set_body(msg.body);
  d.set_sent_length(msg.length);
  d.set_segments(msg.segments);
  d.set_parts(m.parts);
  for (const auto& l : msg.links) {
    auto* sl = d.add_links();
    sl->set_code(l.code);
    sl->set_url(l.url);
  }
  if (kind == wire::StatusEvent::SUBMITTED)
    for (const auto& id : m.ids)
      ev.add_smsc_ids(id);
  out.emplace_back(std::move(e));
}

/// Makes "part next_part may be at the carrier" durable before it goes.
void sender_logic::fence(message& m, int64_t now, std::vector<sender_action>& out) {
  ++fencing_;
  m.ph = message::phase::fencing;
  record(m, wire::SendRecord::IN_FLIGHT, delivery_status::preparing, {}, true, now, out);
}

// A message is done only once both its last status event and its last record are durable:
// with the record alone, a crash could commit the job and lose the event the log needs.
void sender_logic::close_submitted(message& m, int64_t now, std::vector<sender_action>& out) {
  ++counts_.ended[static_cast<size_t>(delivery_status::sent)];
  m.ph = message::phase::closing;
  m.pending = 2;
  emit(m, wire::StatusEvent::SUBMITTED, delivery_status::sent, now, {}, true, out);
  record(m, wire::SendRecord::SUBMITTED, delivery_status::sent, {}, true, now, out);
}

void sender_logic::close(message& m, delivery_status st, const std::string& reason, int64_t now,
                         std::vector<sender_action>& out) {
  ++counts_.ended[static_cast<size_t>(st)];
  m.ph = message::phase::closing;
  out.emplace_back(
      sender_note{sender_note::kind::closed, m.w->msg.message_id, m.next_part, st, reason});
  m.pending = 2;
  emit(m, wire::StatusEvent::FINAL, st, now, reason, true, out);
  record(m, wire::SendRecord::CLOSED, st, reason, true, now, out);
}

void sender_logic::delivered(uint64_t ticket, bool ok, int64_t offset, int64_t now,
                             std::vector<sender_action>& out) {
  bury();
  auto it = by_token_.find(ticket & ((1ULL << 56) - 1));
  if (it == by_token_.end())
    return;  // drained meanwhile
  auto* m = it->second;
  by_token_.erase(it);
  if (!ok)
    return;  // the node stops on a lost record (see sender_logic): a restart redoes the job
  if (ticket == m->final_token)
    m->final_offset = offset;
  if (m->ph == message::phase::fencing) {
    IVRCAST_ASSERT(fencing_ > 0, "message {} fenced with no fence counted", m->w->msg.message_id);
    --fencing_;
    m->ph = message::phase::ready;
    ready_.push_back(m);
  } else if (m->ph == message::phase::closing && --m->pending == 0) {
    finish(*m, now, out);
  }
  after(now, out);
}

// -- submitting --------------------------------------------------------------------------------

void sender_logic::pump(int64_t now, std::vector<sender_action>& out) {
  size_t unsendable = 0;
  tokens_ = std::min(std::max(1.0, rate_ / 50),
                     tokens_ + static_cast<double>(now - last_refill_ms_) * rate_ / 1000);
  last_refill_ms_ = now;
  if (now < paused_until_ms_)
    return;
  // Fence no further ahead than the window: every fenced part is one a crash leaves in doubt.
  auto window = static_cast<size_t>(cfg_.window);
  while (!to_fence_.empty() && fencing_ + ready_.size() + outstanding_.size() < window) {
    auto* m = to_fence_.front();
    to_fence_.pop_front();
    fence(*m, now, out);
  }
  while (!ready_.empty() && outstanding_.size() < window && tokens_ >= 1) {
    auto* m = ready_.front();
    if (m->ph != message::phase::ready) {
      ready_.pop_front();  // drained or resolved meanwhile
      continue;
    }
    auto max_age_ms = int64_t{cfg_.max_age_s} * 1000;
    if (m->next_part == 0 && m->ids.empty() && now - m->w->job.decided_at_ms > max_age_ms) {
      ready_.pop_front();
      close(*m, delivery_status::internal_error, "not sent within the maximum message age", now,
            out);
      continue;
    }
    auto session = pick_session(m->w->partition);
    if (session < 0) {
      // Its partition's binds are down: the next ready message may belong to another.
      ready_.pop_front();
      ready_.push_back(m);
      if (++unsendable >= ready_.size())
        return;  // nothing bound for any of them: `bound` pumps again
      continue;
    }
    unsendable = 0;
    ready_.pop_front();
    tokens_ -= 1;
    m->ph = message::phase::submitting;
    m->session = session;
    m->key = next_key_++;
    m->submitted_ms = now;
    outstanding_[m->key] = m;
    ++counts_.submits;
    out.emplace_back(submit_part{m->key, session, m->w, m->next_part});
  }
}

/// A bound session of `partition`'s bind slots, round robin.
int sender_logic::pick_session(int32_t partition) {
  for (size_t k = 0; k < bound_.size(); ++k) {
    auto s = (rr_ + k) % bound_.size();
    if (bound_[s] && slot_partition_[s] == partition) {
      rr_ = s + 1;
      return static_cast<int>(s);
    }
  }
  return -1;
}

void sender_logic::submit_failed(uint64_t key, int64_t now, std::vector<sender_action>& out) {
  bury();
  auto it = outstanding_.find(key);
  if (it == outstanding_.end())
    return;
  auto* m = it->second;
  outstanding_.erase(it);
  if (m->session >= 0 && static_cast<size_t>(m->session) < bound_.size())
    bound_[static_cast<size_t>(m->session)] = false;
  // Never on the wire: it goes first once a session is there, at no cost to the rate.
  --counts_.submits;
  tokens_ += 1;
  m->ph = message::phase::ready;
  ready_.push_front(m);
  after(now, out);
}

void sender_logic::submit_resp(uint64_t key, uint32_t command_status, std::string id, int64_t now,
                               std::vector<sender_action>& out) {
  bury();
  auto it = outstanding_.find(key);
  if (it == outstanding_.end())
    return;  // an answer for a submit given up on (its session went away)
  auto* m = it->second;
  outstanding_.erase(it);
  if (m->ph == message::phase::in_doubt)
    undoubt(*m);  // a late answer settles the doubt
  else if (m->ph != message::phase::submitting)
    return;
  auto outcome = map_submit_status(command_status);
  switch (outcome.verdict) {
    case submit_verdict::accepted:
      ++counts_.parts_accepted;
      backoff_ms_ = 0;
      accepted(*m, std::move(id), now, out);
      break;
    case submit_verdict::retry_later:
      ++counts_.throttled;
      if (++m->attempts > cfg_.max_retries) {
        close(*m, delivery_status::carrier_error,
              "refused " + std::to_string(m->attempts) + " times (status " +
                  std::to_string(command_status) + ")",
              now, out);
        break;
      }
      // Pause this carrier only; the part goes first when it resumes, keeping the order.
      backoff_ms_ = backoff_ms_ == 0 ? cfg_.retry_backoff_ms : std::min(backoff_ms_ * 2, 30000);
      paused_until_ms_ = now + backoff_ms_;
      m->ph = message::phase::ready;
      ready_.push_front(m);
      break;
    case submit_verdict::rejected:
      close(*m, m->next_part == 0 ? outcome.status : delivery_status::partially_failed,
            "submit_sm refused with status " + std::to_string(command_status), now, out);
      break;
  }
  after(now, out);
}

void sender_logic::accepted(message& m, std::string id, int64_t now,
                            std::vector<sender_action>& out) {
  m.ids.push_back(std::move(id));
  m.attempts = 0;
  ++m.next_part;
  if (m.next_part < m.parts)
    return fence(m, now, out);
  close_submitted(m, now, out);
}

// -- sessions ----------------------------------------------------------------------------------

void sender_logic::bound(int session, int64_t now, std::vector<sender_action>& out) {
  bury();
  if (session >= 0 && static_cast<size_t>(session) < bound_.size())
    bound_[static_cast<size_t>(session)] = true;
  after(now, out);
}

void sender_logic::unbound(int session, int64_t now, std::vector<sender_action>& out) {
  bury();
  if (session >= 0 && static_cast<size_t>(session) < bound_.size())
    bound_[static_cast<size_t>(session)] = false;
  for (auto it = outstanding_.begin(); it != outstanding_.end();) {
    auto* m = it->second;
    if (m->session == session) {
      doubt(*m, m->submitted_ms, "connection lost before the answer", now, out);
      it = outstanding_.erase(it);
    } else {
      ++it;
    }
  }
  after(now, out);
}

// -- doubt -------------------------------------------------------------------------------------

void sender_logic::doubt(message& m, int64_t since_ms, const char* why, int64_t now,
                         std::vector<sender_action>& out) {
  if (m.ph == message::phase::in_doubt)
    return;
  ++counts_.in_doubt;
  out.emplace_back(sender_note{sender_note::kind::in_doubt, m.w->msg.message_id, m.next_part,
                               delivery_status::preparing, why});
  m.ph = message::phase::in_doubt;
  m.doubt_since_ms = since_ms;
  m.doubt_until_ms = now + cfg_.in_doubt_wait_ms;
  doubts_.push_back(&m);
}

void sender_logic::undoubt(message& m) {
  std::erase(doubts_, &m);
}

void sender_logic::drop_outstanding(message& m) {
  for (auto it = outstanding_.begin(); it != outstanding_.end(); ++it)
    if (it->second == &m) {
      outstanding_.erase(it);
      return;
    }
}

std::vector<doubt_query> sender_logic::doubts_due(int64_t now) {
  std::vector<doubt_query> due;
  if (now < next_doubt_check_ms_ || doubts_.empty())
    return due;
  next_doubt_check_ms_ = now + 200;
  due.reserve(doubts_.size());
  for (auto* m : doubts_)
    due.push_back(
        {m->w->msg.message_id, m->w->job.destination, m->doubt_since_ms - 1000, m->handle});
  return due;
}

std::vector<sender_logic::message*>::const_iterator sender_logic::find_doubt(
    uint64_t handle) const {
  return std::find_if(doubts_.begin(), doubts_.end(),
                      [&](const message* m) { return m->handle == handle; });
}

bool sender_logic::receipt_taken(uint64_t handle, const std::string& id) const {
  if (adopted_.contains(id))
    return true;
  auto pos = find_doubt(handle);
  if (pos == doubts_.end())
    return true;  // settled meanwhile: it adopts nothing
  const auto& ids = (*pos)->ids;
  return std::find(ids.begin(), ids.end(), id) != ids.end();
}

/// A part in doubt is settled by a newer record (another owner finished it), by its submit in
/// the log, by its receipt (the carrier has it), or after the wait by sending it again.
void sender_logic::settle(uint64_t handle, doubt_evidence ev, bool log_live, int64_t now,
                          std::vector<sender_action>& out) {
  bury();
  auto pos = find_doubt(handle);
  if (pos == doubts_.end())
    return;  // settled meanwhile (a late answer, a drain)
  auto& m = **pos;
  auto settled = [&] {
    doubts_.erase(pos);
    drop_outstanding(m);
  };
  // The proof can only come while a session is bound and once the log has read its backlog:
  // until then the wait does not run.
  bool proof_possible = log_live && std::find(bound_.begin(), bound_.end(), true) != bound_.end();
  if (const auto& r = ev.record) {
    if (r->state() == wire::SendRecord::SUBMITTED || r->state() == wire::SendRecord::CLOSED) {
      settled();
      reannounce(m, *r, now, out);
      return after(now, out);
    }
    if (r->state() == wire::SendRecord::RELEASED && r->next_part() >= m.next_part &&
        r->at_ms() >= m.doubt_since_ms) {
      // The owner that wrote the fence let go before sending: not at the carrier.
      settled();
      m.next_part = r->next_part();
      m.ids.assign(r->smsc_ids().begin(), r->smsc_ids().end());
      m.ph = message::phase::ready;
      ready_.push_front(&m);
      return after(now, out);
    }
    if (r->next_part() > m.next_part) {  // another owner moved on: follow it
      m.next_part = r->next_part();
      m.ids.assign(r->smsc_ids().begin(), r->smsc_ids().end());
      m.doubt_since_ms = r->at_ms();
      m.doubt_until_ms = now + cfg_.in_doubt_wait_ms;
    }
  }
  // The log already has the message's submit: its SUBMITTED status event made it before a
  // crash and its SUBMITTED record did not (they go to different topics).
  if (!ev.submitted_ids.empty() && static_cast<int>(ev.submitted_ids.size()) == m.parts) {
    settled();
    m.ids = std::move(ev.submitted_ids);
    m.next_part = m.parts;
    close_submitted(m, now, out);
    return after(now, out);
  }
  if (ev.receipt && !receipt_taken(handle, *ev.receipt)) {
    ++counts_.adopted;
    adopted_.emplace(*ev.receipt, now);
    settled();
    accepted(m, std::move(*ev.receipt), now, out);
    return after(now, out);
  }
  if (!proof_possible)
    m.doubt_until_ms = std::max(m.doubt_until_ms, now + cfg_.in_doubt_wait_ms);
  if (now >= m.doubt_until_ms) {
    ++counts_.resubmitted;
    out.emplace_back(sender_note{sender_note::kind::resubmit,
                                 m.w->msg.message_id,
                                 m.next_part,
                                 delivery_status::preparing,
                                 {}});
    settled();
    m.ph = message::phase::ready;
    ready_.push_front(&m);
  }
  after(now, out);
}

// -- time --------------------------------------------------------------------------------------

void sender_logic::tick(int64_t now, double rate, std::span<const int64_t> view_applied,
                        std::vector<sender_action>& out) {
  bury();
  rate_ = rate;
  // Submits unanswered for too long are in doubt; the entry stays so a late answer counts.
  for (auto& [key, m] : outstanding_)
    if (m->ph == message::phase::submitting && now - m->submitted_ms > cfg_.response_timeout_ms)
      doubt(*m, m->submitted_ms, "no submit_sm_resp in time", now, out);
  // By then the log has long matched an adopted id: its receipt is no longer parked.
  std::erase_if(adopted_, [&](const auto& kv) { return now - kv.second > 600000; });
  // A finished message is remembered until the sends view has its last record.
  for (auto& [partition, order] : finished_order_) {
    auto p = static_cast<size_t>(partition);
    while (!order.empty() && p < view_applied.size() && view_applied[p] >= order.front().offset) {
      const auto& f = order.front();
      if (auto it = finished_.find(f.message_id);
          it != finished_.end() && it->second.offset == f.offset)
        finished_.erase(it);
      order.pop_front();
    }
  }
  after(now, out);
}

// -- ending ------------------------------------------------------------------------------------

/// Ends a message (what it wrote last is durable), reports its job done and starts the next
/// one to its destination.
void sender_logic::finish(message& m, int64_t now, std::vector<sender_action>& out) {
  ++counts_.finished;
  out.emplace_back(job_done{m.w->partition, m.w->offset});
  for (const auto& [partition, offset] : m.also_done)
    out.emplace_back(job_done{partition, offset});
  if (m.final_offset >= 0) {
    finished_order_[m.w->partition].push_back({m.final_offset, m.w->msg.message_id});
    finished_[m.w->msg.message_id] = {std::move(m.final_record), m.final_offset};
  }
  active_.erase(m.w->msg.message_id);
  auto it = by_dest_.find(m.w->job.destination);
  if (it == by_dest_.end())
    return;
  auto& queue = it->second;
  for (auto q = queue.begin(); q != queue.end(); ++q)
    if (q->get() == &m) {
      graveyard_.push_back(std::move(*q));
      queue.erase(q);
      break;
    }
  if (queue.empty())
    by_dest_.erase(it);
  else
    activate_front(queue, now, out);
}

void sender_logic::report_drains(std::vector<sender_action>& out) {
  for (auto it = drains_.begin(); it != drains_.end();) {
    auto p = *it;
    bool waiting = std::any_of(outstanding_.begin(), outstanding_.end(), [&](const auto& kv) {
      return kv.second->w->partition == p && kv.second->ph == message::phase::submitting;
    });
    if (waiting) {
      ++it;
      continue;
    }
    out.emplace_back(drained{p});
    it = drains_.erase(it);
  }
}

/// Lets a revoked partition go: its messages not on the wire now are left to the new owner,
/// which finds their records (or none) in sms.sends.
void sender_logic::drain(int32_t partition, int64_t now, std::vector<sender_action>& out) {
  bury();
  auto busy = [](const message& m) {
    return m.ph == message::phase::submitting || m.ph == message::phase::closing;
  };
  // Taken out of the sender's lists once, after the walk: one erase per message was quadratic
  // in a partition's backlog, and a drain must finish within the rebalance.
  std::unordered_set<const message*> gone;
  for (auto it = by_dest_.begin(); it != by_dest_.end();) {
    auto& queue = it->second;
    for (auto q = queue.begin(); q != queue.end();) {
      auto& m = **q;
      if (m.w->partition != partition || busy(m)) {
        ++q;
        continue;
      }
      // Fenced and not sent: say so, or the next owner would wait out a doubt. The record
      // follows the fence in the partition; the node flushes it before letting go.
      if (m.ph == message::phase::fencing)
        --fencing_;  // its delivery report finds no token any more
      if (m.ph == message::phase::ready || m.ph == message::phase::fencing) {
        ++counts_.released;
        record(m, wire::SendRecord::RELEASED, delivery_status::preparing, {}, false, now, out);
      }
      gone.insert(&m);
      active_.erase(m.w->msg.message_id);
      drop_outstanding(m);
      graveyard_.push_back(std::move(*q));  // alive until the next bury(): `gone` may name it
      q = queue.erase(q);
    }
    it = queue.empty() ? by_dest_.erase(it) : std::next(it);
  }
  if (!gone.empty()) {
    auto is_gone = [&](const message* m) { return gone.contains(m); };
    std::erase_if(doubts_, is_gone);
    std::erase_if(ready_, is_gone);
    std::erase_if(to_fence_, is_gone);
    std::erase_if(by_token_, [&](const auto& kv) { return gone.contains(kv.second); });
  }
  drains_.push_back(partition);
  after(now, out);
}

void sender_logic::bury() {
  graveyard_.clear();
}

void sender_logic::after(int64_t now, std::vector<sender_action>& out) {
  pump(now, out);
  report_drains(out);
  counts_.window = outstanding_.size();
  counts_.doubts = doubts_.size();
}

}  // namespace ivrcast::sms
