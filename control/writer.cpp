#include "control/writer.hpp"

#include <spdlog/spdlog.h>

#include "connectors/kafka/bus.hpp"
#include "messages/errc.hpp"
#include "messages/text.hpp"
#include "storage/control_state.hpp"

namespace ivrcast::control {

caf::expected<std::unique_ptr<writer>> writer::open(const connectors::kafka::bus& b,
                                                    const storage::control_state& state,
                                                    std::string node_id) {
  std::unique_ptr<writer> out{new writer};
  out->state_ = &state;
  out->node_id_ = std::move(node_id);
  auto* self = out.get();
  auto p = connectors::kafka::producer::open_placed(
      b, out->node_id_ + "-control-writer",
      [self](uint64_t t, bool ok, int32_t, int64_t offset) { self->delivered(t, ok, offset); });
  if (!p)
    return std::move(p.error());
  out->producer_ = std::move(*p);
  out->control_topic_ = out->producer_->topic(b.topic(topics::control_state));
  out->audit_topic_ = out->producer_->topic(b.topic(topics::control_audit));
  out->status_topic_ = out->producer_->topic(b.topic(topics::sms_status));
  return out;
}

writer::~writer() = default;

void writer::delivered(uint64_t ticket, bool ok, int64_t offset) {
  {
    std::lock_guard<std::mutex> guard{mtx_};
    auto it = pending_.find(ticket);
    if (it == pending_.end())
      return;
    it->second = outcome{true, ok, offset};
  }
  cv_.notify_all();
}

caf::expected<int64_t> writer::await(const std::vector<uint64_t>& tickets) {
  std::unique_lock<std::mutex> guard{mtx_};
  auto all_done = [&] {
    for (auto t : tickets)
      if (!pending_[t].done)
        return false;
    return true;
  };
  bool done = cv_.wait_for(guard, std::chrono::seconds{30}, all_done);
  int64_t max_offset = -1;
  bool ok = done;
  for (auto t : tickets) {
    ok = ok && pending_[t].ok;
    max_offset = std::max(max_offset, pending_[t].offset);
    pending_.erase(t);
  }
  if (!ok)
    return caf::make_error(errc::kafka_failure, "control.write",
                           done ? "the broker refused the write" : "no acknowledgement in 30 s");
  return max_offset;
}

caf::expected<int64_t> writer::write_applied(const std::vector<change>& changes) {
  std::vector<uint64_t> tickets;
  std::string bytes;
  for (const auto& c : changes) {
    uint64_t t = 0;
    {
      std::lock_guard<std::mutex> guard{mtx_};
      t = next_ticket_++;
      pending_[t] = outcome{};
    }
    tickets.push_back(t);
    bytes.clear();
    if (c.record)
      c.record->SerializeToString(&bytes);
    if (!producer_->produce_to(control_topic_, 0, c.key, bytes, t)) {
      std::lock_guard<std::mutex> guard{mtx_};
      pending_[t] = outcome{true, false, -1};
    }
  }
  auto offset = await(tickets);
  if (!offset)
    return offset;
  if (!state_->wait_applied(*offset, std::chrono::seconds{30}))
    return caf::make_error(errc::timeout, "control.write",
                           "written but not applied here within 30 s");
  return offset;
}

caf::expected<void> writer::write(const std::vector<change>& changes) {
  if (auto offset = write_applied(changes); !offset)
    return std::move(offset.error());
  return {};
}

caf::expected<bool> writer::update(const std::string& key, const mutation& fn) {
  constexpr int max_attempts = 64;
  for (int attempt = 0; attempt < max_attempts; ++attempt) {
    auto read = state_->get(key);
    if (!read)
      return std::move(read.error());
    auto revision = *read ? (*read)->revision() : int64_t{-1};
    if (fn(*read) == mutation_result::leave || !*read) {
      // After a lost race our refused record is the key's last one, and compaction keeps only
      // the last: write the current record again so an accepted one is last. (A refused record
      // before an absent key is refused again on a rebuild: nothing to do then.)
      if (attempt > 0 && *read)
        if (auto again = update(key, [](auto&) { return mutation_result::write; }); !again)
          return std::move(again.error());
      return false;
    }
    auto& rec = **read;
    rec.set_expect_revision(revision);
    auto offset = write_applied({change{key, rec}});
    if (!offset)
      return std::move(offset.error());
    if (!state_->refused_as_stale(*offset))
      return true;
    // Another write came first; its record is folded in by now, so the next read sees it.
  }
  return caf::make_error(errc::timeout, "control.update",
                         key + ": lost " + std::to_string(max_attempts) + " races in a row");
}

caf::expected<void> writer::put(const wire::ControlRecord& r) {
  return write({change{storage::control_state::key_of(r), r}});
}

void writer::audit(wire::AuditEvent ev) {
  ev.set_node(node_id_);
  // What a client sent (an address, a detail) cannot forge a log line.
  spdlog::info("event=audit what={} user={} email=\"{}\" account={} ip={} detail=\"{}\"",
               ev.event(), ev.user_id(), log_escaped(ev.email()), ev.account_id(), ev.ip(),
               log_escaped(ev.detail()));
  auto key = ev.user_id().empty() ? ev.email() : ev.user_id();
  // The event stays in the log line above whatever happens to the record.
  if (!producer_->produce_to(audit_topic_, 0, key, ev.SerializeAsString(), 0))
    spdlog::error("event=audit_record_lost what={} user={}", ev.event(), ev.user_id());
}

caf::expected<void> writer::status(const wire::StatusEvent& ev) {
  uint64_t t = 0;
  {
    std::lock_guard<std::mutex> guard{mtx_};
    t = next_ticket_++;
    pending_[t] = outcome{};
  }
  if (!producer_->produce(status_topic_, ev.message_id(), ev.SerializeAsString(), t)) {
    std::lock_guard<std::mutex> guard{mtx_};
    pending_[t] = outcome{true, false, -1};
  }
  auto offset = await({t});
  if (!offset)
    return std::move(offset.error());
  return {};
}

}  // namespace ivrcast::control
