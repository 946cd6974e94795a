#include "actors/sms_service.hpp"

#include <algorithm>
#include <condition_variable>
#include <future>
#include <mutex>
#include <set>
#include <thread>
#include <unordered_map>

#include <caf/all.hpp>

#include "actors/fatal.hpp"
#include "actors/log.hpp"
#include "actors/offset_progress.hpp"
#include "actors/projection_feed.hpp"
#include "actors/supervise.hpp"
#include "config/load.hpp"
#include "connectors/control/carrier_tables.hpp"
#include "connectors/delivery/codec.hpp"
#include "connectors/delivery/job_codec.hpp"
#include "connectors/gateway/codec.hpp"
#include "connectors/gateway/dead_letters.hpp"
#include "connectors/kafka/bus.hpp"
#include "connectors/kafka/consumer.hpp"
#include "connectors/kafka/producer.hpp"
#include "connectors/smpp/receipt.hpp"
#include "connectors/smpp/session.hpp"
#include "messages/clock.hpp"
#include "messages/errc.hpp"
#include "messages/phone.hpp"
#include "metrics/health.hpp"
#include "metrics/registry.hpp"
#include "sms/abuse_window.hpp"
#include "sms/bind_plan.hpp"
#include "sms/carrier_directory.hpp"
#include "sms/intake_limit.hpp"
#include "storage/control_state.hpp"
#include "storage/database.hpp"
#include "storage/delivery_log.hpp"
#include "storage/sends.hpp"
#include "storage/usage.hpp"

namespace ivrcast::actors {
namespace {

namespace kafka = connectors::kafka;
namespace smpp = connectors::smpp;

// Delivery tickets: kind in the top 4 bits. 1: a sender's record (sms::sender_logic::ticket);
// 2: a receipt to acknowledge (carrier, session, sequence); 3: a job ended before any sender
// (partition, offset).
constexpr uint64_t receipt_kind = 2;
constexpr uint64_t job_kind = 3;

uint64_t receipt_ticket(size_t carrier, int session, uint32_t seq) {
  return (receipt_kind << 60) | (static_cast<uint64_t>(carrier) << 56) |
         (static_cast<uint64_t>(session & 0xFF) << 32) | seq;
}

uint64_t job_ticket(int32_t partition, int64_t offset) {
  return (job_kind << 60) | (static_cast<uint64_t>(partition & 0xFFFF) << 40) |
         (static_cast<uint64_t>(offset) & ((1ULL << 40) - 1));
}

}  // namespace

struct sms_service::impl final : kafka::consumer_handler {
  /// One carrier's SMPP sessions report here (their I/O threads).
  struct carrier_link final : smpp::session_handler {
    impl* owner = nullptr;
    size_t index = 0;
    sms_sender_actor sender;

    void bound(int session) override {
      sender_event e;
      e.what = sender_event::kind::bound;
      e.session = session;
      send_event(sender, std::move(e));
    }
    void unbound(int session, std::string_view) override {
      sender_event e;
      e.what = sender_event::kind::unbound;
      e.session = session;
      send_event(sender, std::move(e));
    }
    void submit_resp(int session, uint32_t seq, uint32_t status, std::string_view id) override {
      sender_event e;
      e.what = sender_event::kind::submit_resp;
      e.session = session;
      e.sequence = seq;
      e.status = status;
      e.id = id;
      send_event(sender, std::move(e));
    }
    void deliver(int session, uint32_t seq, const smpp::sm_body& sm) override {
      owner->ingest(index, session, seq, sm);
    }
  };

  config::settings settings;
  std::shared_ptr<kafka::bus> bus;
  std::shared_ptr<storage::database> db;
  std::unique_ptr<storage::sends> sends;
  std::unique_ptr<storage::usage> usage;
  std::unique_ptr<storage::delivery_log> log;
  const storage::control_state* control = nullptr;
  mutable std::mutex directory_mtx;
  std::shared_ptr<const sms::carrier_directory> directory;  // swapped whole by reload_carriers
  std::string directory_version = "files";
  sms_metrics metrics;
  std::unique_ptr<kafka::producer> producer;
  std::unique_ptr<connectors::gateway::dead_letters> dead_letters;
  kafka::producer::topic_ref status_topic;
  std::string sends_topic_name;
  std::string jobs_topic_name;
  std::string status_topic_name;
  std::array<sender_context, 4> contexts;
  std::array<std::vector<std::unique_ptr<smpp::session>>, 4> sessions;
  std::array<carrier_link, 4> links;
  std::array<sms_sender_actor, 4> senders;
  std::array<smpp::id_format, 4> receipt_ids{};
  std::vector<sms::bind_plan> plans;  // per carrier
  std::optional<sms::abuse_window> abuse;
  kafka::producer::topic_ref jobs_topic;
  kafka::producer::topic_ref sends_topic;
  // The guard's records as this node wrote them, per owned partition, until the sends view has
  // them too (consumer thread only).
  struct guard_records {
    std::unordered_map<std::string, std::vector<sms::allowed_sms>> by_key;
    size_t sweep_at = 10000;  // the size that sweeps the records left of the window next
  };
  std::unordered_map<int32_t, guard_records> guard_written;

  // Job offsets per owned partition.
  std::mutex progress_mtx;
  std::unordered_map<int32_t, actors::offset_progress> progress;
  std::unordered_map<int32_t, bool> needs_catch_up;
  std::set<int32_t> owned;  // partitions of sms.jobs held now

  // Jobs left in sms.jobs while their carrier's sender is full, and where to read again (the
  // consumer's thread only).
  std::optional<sms::intake_limit> intake;
  std::vector<sms::rewind> rewinds;
  std::vector<actors::offset_progress::reading> readings;  // per record of a batch

  // The sends view's progress, waited on before a newly owned partition's jobs run.
  std::mutex sends_mtx;
  std::condition_variable sends_cv;
  std::atomic<bool> log_live{false};

  std::unique_ptr<kafka::partition_reader> sends_reader;
  std::unique_ptr<kafka::partition_reader> status_reader;
  std::unique_ptr<kafka::partition_reader> usage_reader;
  std::unique_ptr<kafka::group_consumer> jobs;
  std::thread upkeep;
  std::mutex upkeep_mtx;
  std::condition_variable upkeep_cv;
  bool stopping = false;
  bool stopped = false;
  std::string buf;

  /// sms.sends into the local view (waiters on sends_cv learn of each batch), and into the
  /// monthly usage (a reader of its own: the sends view the senders wait on stays quick).
  std::unique_ptr<projection_feed<storage::sends>> sends_handler;
  std::unique_ptr<projection_feed<storage::usage>> usage_handler;

  /// sms.status into the delivery log: each read's partitions in one write (end_of_read), so
  /// that a receipt read with its message's submit finds the submit.
  struct status_feed final : kafka::partition_reader::handler {
    impl* owner = nullptr;
    struct pending {
      int32_t partition;
      int64_t last_offset;
      size_t from, to;  // of evs
    };
    std::vector<storage::status_input> evs;
    std::vector<int64_t> stamps;  // per record read, when it was produced
    std::vector<pending> read;
    std::vector<storage::status_batch> batches;
    int64_t start_offset(int32_t p) override {
      auto cp = owner->log->checkpoint(p);
      return cp ? *cp + 1 : 0;
    }
    void records(int32_t p, std::span<const kafka::record> batch) override {
      auto from = evs.size();
      for (const auto& r : batch) {
        stamps.push_back(r.timestamp_ms);
        auto ev = connectors::delivery::decode_status(r.value);
        if (!ev) {
          ++owner->metrics.dead_letters;
          if (!owner->dead_letters->send(owner->status_topic_name, r, describe(ev.error()), 0))
            return stop_fatally("a dead letter of sms.status could not be queued");
          continue;
        }
        evs.push_back({r.offset, std::move(*ev)});
      }
      read.push_back({p, batch.back().offset, from, evs.size()});
    }
    void end_of_read() override {
      if (read.empty())
        return;
      batches.clear();
      for (const auto& r : read)
        batches.push_back(
            {r.partition, r.last_offset,
             std::span<const storage::status_input>{evs}.subspan(r.from, r.to - r.from)});
      if (auto ok = owner->log->apply(batches); !ok) {
        std::string partitions;
        for (const auto& r : read)
          partitions += (partitions.empty() ? "" : ",") + std::to_string(r.partition);
        logger().error("event=delivery_log_apply_failed partitions={} error=\"{}\"", partitions,
                       describe(ok.error()));
      } else {
        owner->metrics.status_applied += evs.size();
        auto now = unix_now_ms();
        for (auto at : stamps)
          owner->metrics.log_apply.observe_ms(now - at);
      }
      evs.clear();
      stamps.clear();
      read.clear();
    }
    void caught_up() override {
      logger().info("event=delivery_log_live");
      owner->log_live = true;
    }
  } status_handler;

  ~impl() override { shutdown(); }

  // -- consumer_handler (sms.jobs, consumer thread) -------------------------------------------

  void assigned(const std::vector<int32_t>& partitions) override {
    {
      std::lock_guard<std::mutex> guard{progress_mtx};
      for (auto p : partitions) {
        progress[p] = actors::offset_progress{};
        needs_catch_up[p] = true;
        owned.insert(p);
        guard_written.erase(p);
        intake->forget(p);
      }
    }
    // The partitions' bind slots: the previous owners unbound them before letting go.
    for_slot_sessions(partitions, [](smpp::session& s) { s.start(); });
    share_limits();
  }

  /// Calls `fn` on the session of every bind slot of `partitions`, every carrier.
  template <class Fn>
  void for_slot_sessions(const std::vector<int32_t>& partitions, Fn fn) {
    for (size_t c = 0; c < plans.size(); ++c)
      for_slot_sessions(c, partitions, fn);
  }

  /// The same for one carrier.
  template <class Fn>
  void for_slot_sessions(size_t c, const std::vector<int32_t>& partitions, Fn& fn) {
    for (auto p : partitions)
      for (auto slot : plans[c].slots(p))
        if (static_cast<size_t>(slot) < sessions[c].size())  // no SMSC configured: none
          fn(*sessions[c][static_cast<size_t>(slot)]);
  }

  /// The partitions of sms.jobs held now (any thread).
  std::vector<int32_t> owned_now() {
    std::lock_guard<std::mutex> guard{progress_mtx};
    return {owned.begin(), owned.end()};
  }

  /// Each sender's rate: its share of the carrier's by the binds this node holds now.
  void share_limits() {
    auto now_owned = owned_now();
    for (size_t c = 0; c < plans.size(); ++c) {
      auto binds = plans[c].binds(now_owned);
      contexts[c].rate = plans[c].rate_share(contexts[c].cfg.rate, binds);
      logger().info("event=carrier_share carrier={} binds={} of={} rate={:.1f}",
                    sms::key(static_cast<sms::carrier>(c)), binds, plans[c].connections(),
                    contexts[c].rate.load());
    }
  }

  void revoked(const std::vector<int32_t>& partitions) override {
    // Let go of the partitions' queued work in every sender before the group moves them, and
    // make every record they wrote durable, so the next owner's view holds it.
    for (auto p : partitions) {
      std::vector<std::future<void>> waits;
      for (auto& s : senders) {
        auto promise = std::make_shared<std::promise<void>>();
        waits.push_back(promise->get_future());
        sender_event e;
        e.what = sender_event::kind::drain;
        e.partition = p;
        e.done = [promise] { promise->set_value(); };
        send_event(s, std::move(e));
      }
      for (auto& w : waits)
        if (w.wait_for(std::chrono::seconds{5}) != std::future_status::ready)
          logger().warn("event=drain_timeout partition={}", p);
    }
    if (auto ok = producer->flush(std::chrono::seconds{10}); !ok)
      logger().warn("event=flush_on_revoke_incomplete error=\"{}\"", describe(ok.error()));
    // The partitions' binds go with them, before the group hands them over: the carrier never
    // sees more than its contract's binds.
    for_slot_sessions(partitions, [](smpp::session& s) { s.stop(); });
    {
      // Progress stays: the consumer commits it after this returns.
      std::lock_guard<std::mutex> guard{progress_mtx};
      for (auto p : partitions) {
        owned.erase(p);
        guard_written.erase(p);
        intake->forget(p);
      }
    }
    share_limits();
  }

  /// Every configured carrier's bind slots held here now, and how many are bound (any thread).
  std::vector<metrics::carrier_binds> binds_now() {
    auto now_owned = owned_now();
    std::vector<metrics::carrier_binds> out;
    for (size_t c = 0; c < plans.size(); ++c) {
      if (sessions[c].empty())
        continue;  // no SMSC configured
      auto& b = out.emplace_back();
      b.carrier = sms::key(static_cast<sms::carrier>(c));
      auto count = [&b](smpp::session& s) {
        ++b.held;
        b.bound += s.bound() ? 1 : 0;
      };
      for_slot_sessions(c, now_owned, count);
    }
    return out;
  }

  void catch_up(int32_t p) {
    auto hw = jobs->high_watermark(sends_topic_name, p);
    if (!hw) {
      logger().warn("event=sends_watermark_unknown partition={} error=\"{}\"", p,
                    describe(hw.error()));
      return;
    }
    std::unique_lock<std::mutex> guard{sends_mtx};
    if (!sends_cv.wait_for(guard, std::chrono::seconds{60},
                           [&] { return sends->applied(p) >= *hw - 1; }))
      logger().warn("event=sends_catch_up_timeout partition={} applied={} high={}", p,
                    sends->applied(p), *hw);
  }

  void records(int32_t partition, std::span<const kafka::record> recs) override {
    bool wait = false;
    readings.resize(recs.size());
    {
      std::lock_guard<std::mutex> guard{progress_mtx};
      wait = std::exchange(needs_catch_up[partition], false);
      auto& pr = progress[partition];
      for (size_t i = 0; i < recs.size(); ++i)
        readings[i] = pr.consumed(recs[i].offset);
    }
    intake->reading(partition, recs.back().offset + 1);
    if (wait)
      catch_up(partition);
    auto dir = current_directory();  // one table version for the whole batch
    uint64_t reread = 0;
    for (size_t i = 0; i < recs.size(); ++i) {
      const auto& r = recs[i];
      auto [process, left_for] = readings[i];
      if (!process) {
        ++reread;  // a rewind read it again: only what was left is taken up
        continue;
      }
      if (left_for < 0)
        ++metrics.jobs;  // counted once, when first read
      else if (!room_for(static_cast<size_t>(left_for), partition, r.offset))
        continue;  // its carrier is still full: left again, not even decoded
      auto job = connectors::delivery::decode_job(r.value);
      if (!job) {
        ++metrics.dead_letters;
        if (!dead_letters->send(jobs_topic_name, r, describe(job.error()),
                                job_ticket(partition, r.offset)))
          return stop_fatally("a dead letter of sms.jobs could not be queued");
        continue;
      }
      auto msg = sms::prepare(*job, *dir, settings.sms.short_domain);
      if (!msg) {
        end_unsent(partition, r.offset, *job, describe(msg.error()));
        continue;
      }
      auto carrier = static_cast<size_t>(msg->via);
      if (auto home = plans[carrier].home(partition); home != partition) {
        // This partition holds none of the carrier's binds: the job moves, as it is, to the one
        // that does; done here once the broker has it there.
        ++metrics.forwarded;
        connectors::delivery::mark_forwarded(r.value, partition, buf);
        if (!producer->produce_to(jobs_topic, home, r.key, buf, job_ticket(partition, r.offset)))
          logger().error("event=sms_forward_failed partition={} offset={}", partition, r.offset);
        continue;
      }
      if (!room_for(carrier, partition, r.offset))
        continue;
      auto rec = sends->find(msg->message_id);
      if (!rec) {
        logger().error("event=sends_unreadable error=\"{}\"", describe(rec.error()));
        continue;  // never done: not committed, a restart retries it
      }
      // A message with a record was allowed before (by this node or another): only a new one
      // meets the guard.
      if (!*rec && !allowed_by_guard(partition, *job, msg->message_id)) {
        ++metrics.suppressed;
        logger().warn("event=sms_suppressed reason=abuse_guard message={} destination={}",
                      msg->message_id, messages::mask(job->destination));
        job_done(partition, r.offset);
        continue;
      }
      auto w = std::make_shared<sms::send_work>();
      w->partition = partition;
      w->offset = r.offset;
      w->job = std::move(*job);
      w->msg = std::move(*msg);
      sms::split_work(*w);  // the sender reads the record again when it takes the job up
      sender_event e;
      e.what = sender_event::kind::work;
      e.work = std::move(w);
      metrics.queued[carrier].fetch_add(1, std::memory_order_relaxed);
      send_event(senders[carrier], std::move(e));
    }
    metrics.reread.fetch_add(reread, std::memory_order_relaxed);
  }

  /// Whether carrier `c`'s sender has room for the job at (partition, offset); if not, the job
  /// is left in sms.jobs, with its carrier, for a rewind.
  bool room_for(size_t c, int32_t partition, int64_t offset) {
    if (intake->admit(static_cast<sms::carrier>(c), load(c), partition, offset))
      return true;
    ++metrics.left;
    std::lock_guard<std::mutex> guard{progress_mtx};
    progress[partition].deferred(offset, static_cast<uint8_t>(c));
    return false;
  }

  /// Jobs carrier `c`'s sender has: handed over and not ended (queued read first: the sender
  /// adds to held before it takes from queued).
  size_t load(size_t c) const {
    auto queued = metrics.queued[c].load(std::memory_order_acquire);
    auto held = metrics.held[c].load(std::memory_order_relaxed);
    return static_cast<size_t>(std::max<int64_t>(queued + held, 0));
  }

  /// Reads again where jobs were left, for the carriers that have room now.
  void between_batches() override {
    if (!intake->waiting())
      return;
    std::array<size_t, 4> loads{};
    for (size_t c = 0; c < loads.size(); ++c)
      loads[c] = load(c);
    rewinds.clear();
    intake->rewinds(loads, rewinds);
    for (auto r : rewinds) {
      if (auto ok = jobs->seek(r.partition, r.offset); !ok) {
        logger().warn("event=sms_rewind_failed partition={} offset={} error=\"{}\"", r.partition,
                      r.offset, describe(ok.error()));
        intake->again(r);
        continue;
      }
      intake->reading(r.partition, r.offset);
      ++metrics.rewinds;
      logger().info("event=sms_rewind partition={} offset={}", r.partition, r.offset);
    }
  }

  std::shared_ptr<const sms::carrier_directory> current_directory() const {
    std::lock_guard<std::mutex> guard{directory_mtx};
    return directory;
  }

  /// Swaps in the carrier tables of the control state when a whole new version is there.
  void reload_carriers() {
    std::vector<wire::CarrierTableChunk> ranges_chunks;
    std::vector<wire::CarrierTableChunk> ported_chunks;
    for (auto [prefix, into] : {std::pair{"carriers/number_ranges/", &ranges_chunks},
                                std::pair{"carriers/ported/", &ported_chunks}})
      if (auto ok = control->scan(prefix,
                                  [into](std::string_view, const wire::ControlRecord& r) {
                                    into->push_back(r.carrier_table());
                                    return true;
                                  });
          !ok) {
        logger().error("event=carriers_unreadable error=\"{}\"", describe(ok.error()));
        return;
      }
    std::string ranges_version;
    std::string ported_version;
    auto ranges = connectors::control::assemble_table(ranges_chunks, ranges_version);
    auto ported = connectors::control::assemble_table(ported_chunks, ported_version);
    if (ranges_version.empty() || ranges_version != ported_version)
      return;  // none published, or a new version still arriving
    {
      std::lock_guard<std::mutex> guard{directory_mtx};
      if (ranges_version == directory_version)
        return;
    }
    auto parsed = sms::carrier_directory::parse(ranges, ported, "number_ranges", "ported");
    if (!parsed) {
      logger().error("event=carriers_refused version={} error=\"{}\"", ranges_version,
                     describe(parsed.error()));
      return;
    }
    auto next = std::make_shared<const sms::carrier_directory>(std::move(*parsed));
    logger().info("event=carriers_loaded version={} ranges={} ported={}", ranges_version,
                  next->range_count(), next->ported_count());
    std::lock_guard<std::mutex> guard{directory_mtx};
    directory = std::move(next);
    directory_version = ranges_version;
  }

  /// The abuse guard for a new message: decided on what this partition recorded for the
  /// (number, destination), and recorded in sms.sends before the message can go out (the same
  /// partition and producer: the record precedes the message's own).
  bool allowed_by_guard(int32_t partition, const messages::sms_job& job,
                        const std::string& message_id) {
    auto key = sms::guard_key(job.incoming_number, job.destination);
    auto& records = guard_written[partition];
    auto& written = records.by_key;
    auto it = written.find(key);
    if (it == written.end()) {
      std::vector<sms::allowed_sms> from_view;
      if (auto rec = sends->find(key); rec && *rec)
        for (const auto& e : (*rec)->guard())
          from_view.push_back({e.message_id(), e.at_ms()});
      it = written.emplace(key, std::move(from_view)).first;
    }
    if (!abuse->decide(it->second, message_id, job.decided_at_ms))
      return false;
    wire::SendRecord g;
    g.set_message_id(key);
    g.set_destination(job.destination);
    g.set_at_ms(job.decided_at_ms);
    for (const auto& a : it->second) {
      auto* e = g.add_guard();
      e->set_message_id(a.message_id);
      e->set_at_ms(a.at_ms);
    }
    g.SerializeToString(&buf);
    // A failure here fails the message's own records too (one idempotent producer, in order).
    if (!producer->produce_to(sends_topic, partition, key, buf, 0))
      logger().error("event=guard_record_failed partition={} key={}", partition, key);
    // Bounded: a record whose entries have all left the window decides nothing any more. The
    // sweep runs when the map has doubled since the last one, so its cost per message stays
    // constant however many destinations are inside the window.
    if (written.size() > records.sweep_at) {
      std::erase_if(written, [&](const auto& kv) {
        return std::all_of(kv.second.begin(), kv.second.end(), [&](const sms::allowed_sms& a) {
          return a.at_ms <= job.decided_at_ms - int64_t{settings.abuse.window_s} * 1000;
        });
      });
      records.sweep_at = std::max<size_t>(10000, 2 * written.size());
    }
    return true;
  }

  /// A job that cannot be sent (no carrier, too long, ...) ends as 内部エラー in the log.
  void end_unsent(int32_t partition, int64_t offset, const messages::sms_job& job,
                  const std::string& reason) {
    ++metrics.unresolved;
    wire::StatusEvent ev;
    ev.set_kind(wire::StatusEvent::FINAL);
    auto message_id = sms::message_id_of(job);
    ev.set_message_id(message_id);
    ev.set_status(static_cast<int32_t>(sms::delivery_status::internal_error));
    ev.set_at_ms(unix_now_ms());
    ev.set_reason(reason);
    sms::job_detail(job, *ev.mutable_detail());
    ev.SerializeToString(&buf);
    if (!producer->produce(status_topic, message_id, buf, job_ticket(partition, offset)))
      stop_fatally("a status event could not be queued");  // the job is not done
  }

  int64_t committable(int32_t partition) override {
    std::lock_guard<std::mutex> guard{progress_mtx};
    auto it = progress.find(partition);
    return it == progress.end() ? -1 : it->second.committable(std::nullopt);
  }

  void job_done(int32_t partition, int64_t offset) {
    std::lock_guard<std::mutex> guard{progress_mtx};
    if (auto it = progress.find(partition); it != progress.end())
      it->second.handled(offset, 0);
  }

  // -- receipts (session I/O threads) --------------------------------------------------------

  void ingest(size_t carrier, int session, uint32_t seq, const smpp::sm_body& sm) {
    auto& s = *sessions[carrier][static_cast<size_t>(session)];
    if (!smpp::is_receipt(sm)) {
      s.ack_deliver(seq, smpp::status::ok);  // mobile-originated: the IVR plan takes none
      return;
    }
    auto r = smpp::parse_receipt(sm);
    if (!r) {
      // Acknowledged anyway: the SMSC would resend the same bytes forever.
      ++metrics.dead_letters;
      kafka::record raw;
      raw.value = sm.short_message;
      if (!dead_letters->send("smpp.deliver_sm", raw, describe(r.error()), 0))
        return stop_fatally("a dead letter of a receipt could not be queued");
      s.ack_deliver(seq, smpp::status::ok);
      return;
    }
    ++metrics.receipts;
    wire::StatusEvent ev;
    ev.set_kind(wire::StatusEvent::RECEIPT);
    ev.set_at_ms(unix_now_ms());
    ev.set_carrier(static_cast<int32_t>(carrier) + 1);
    ev.set_smsc_id(smpp::normalise_message_id(r->message_id, receipt_ids[carrier]));
    ev.set_receipt_state(static_cast<int32_t>(r->state));
    ev.set_err(r->err);
    ev.set_handset(r->handset);
    ev.set_done_at_ms(r->done_at_ms);
    std::string bytes;
    ev.SerializeToString(&bytes);
    auto key = std::string{sms::key(static_cast<sms::carrier>(carrier))} + "/" + ev.smsc_id();
    // Acknowledged only once the receipt is durable (on_delivery).
    if (!producer->produce(status_topic, key, bytes, receipt_ticket(carrier, session, seq)))
      stop_fatally("a receipt could not be queued");  // unacknowledged: the SMSC sends it again
  }

  // -- producer thread -----------------------------------------------------------------------

  void on_delivery(uint64_t ticket, bool ok, int64_t offset) {
    auto kind = ticket >> 60;
    auto carrier = static_cast<size_t>((ticket >> 56) & 0xF);
    if (kind == 1 && carrier < senders.size()) {
      sender_event e;
      e.what = sender_event::kind::delivered;
      e.token = ticket;
      e.ok = ok;
      e.offset = offset;
      send_event(senders[carrier], std::move(e));
    } else if (kind == receipt_kind && carrier < sessions.size()) {
      auto session = static_cast<size_t>((ticket >> 32) & 0xFF);
      if (session < sessions[carrier].size())
        sessions[carrier][session]->ack_deliver(
            static_cast<uint32_t>(ticket & 0xFFFFFFFF),
            ok ? smpp::status::ok : smpp::status::system_error);  // an error makes it resend
    } else if (kind == job_kind && ok) {
      job_done(static_cast<int32_t>((ticket >> 40) & 0xFFFF),
               static_cast<int64_t>(ticket & ((1ULL << 40) - 1)));
    }
  }

  void upkeep_loop() {
    std::unique_lock<std::mutex> guard{upkeep_mtx};
    while (!stopping) {
      auto now = unix_now_ms();
      if (auto n = log->close_undetermined(now, int64_t{settings.sms.undetermined_after_s} * 1000);
          n && *n > 0)
        logger().info("event=sms_undetermined count={}", *n);
      if (auto n = log->purge(now - settings.sms.retention_ms()); n && *n > 0)
        logger().info("event=delivery_log_purged rows={}", *n);
      upkeep_cv.wait_for(guard, std::chrono::seconds{30}, [this] { return stopping; });
    }
  }

  void shutdown() {
    if (stopped)
      return;
    stopped = true;
    {
      std::lock_guard<std::mutex> guard{upkeep_mtx};
      stopping = true;
    }
    upkeep_cv.notify_all();
    if (upkeep.joinable())
      upkeep.join();
    if (jobs)
      jobs->stop();
    for (auto& list : sessions)
      for (auto& s : list)
        s->stop();
    if (producer)
      if (auto ok = producer->flush(std::chrono::seconds{10}); !ok)
        logger().warn("event=sms_flush_incomplete error=\"{}\"", describe(ok.error()));
    for (auto* r : {status_reader.get(), sends_reader.get(), usage_reader.get()})
      if (r)
        r->stop();
    for (auto& s : senders)
      if (s)
        caf::anon_send_exit(s, caf::exit_reason::user_shutdown);
  }
};

sms_service::sms_service(std::unique_ptr<impl> p) : impl_(std::move(p)) {}

void sms_service::reload_carriers() {
  impl_->reload_carriers();
}

std::string sms_service::carriers_version() const {
  std::lock_guard<std::mutex> guard{impl_->directory_mtx};
  return impl_->directory_version;
}

sms_service::~sms_service() {
  stop();
}

void sms_service::stop() {
  impl_->shutdown();
}

const sms_metrics& sms_service::metrics() const {
  return impl_->metrics;
}

const storage::delivery_log& sms_service::log() const {
  return *impl_->log;
}

const storage::usage& sms_service::usage() const {
  return *impl_->usage;
}

size_t sms_service::owned_partitions() const {
  return impl_->jobs ? impl_->jobs->owned() : 0;
}

void sms_service::collect(metrics::scrape& out) const {
  const auto& m = impl_->metrics;
  for (auto c : sms::all_carriers) {
    auto i = static_cast<size_t>(c);
    auto name = sms::key(c);
    for (uint32_t st = 1; st < m.ended[i].size(); ++st)
      if (auto status = sms::status_from(st);
          status && (*status == sms::delivery_status::sent || sms::is_final(*status)))
        out.counter("ivrcast_sms_jobs_total", "SMS jobs a sender ended, by carrier and status",
                    {{"carrier", name}, {"status", sms::metric_name(*status)}},
                    static_cast<double>(m.ended[i][st].load()));
    out.counter("ivrcast_sms_submits_total", "submit_sm sent to the SMSC", {{"carrier", name}},
                static_cast<double>(m.submits[i].load()));
    out.gauge("ivrcast_sms_window_in_use", "Submits awaiting their submit_sm_resp",
              {{"carrier", name}}, static_cast<double>(m.window[i].load()));
    out.gauge("ivrcast_sms_parts_in_doubt", "Parts that may or may not be at the carrier",
              {{"carrier", name}}, static_cast<double>(m.doubts[i].load()));
    out.gauge("ivrcast_sms_jobs_held",
              "Jobs the carrier's sender holds (at most sms.held_per_carrier)", {{"carrier", name}},
              static_cast<double>(impl_->load(i)));
  }
  out.counter("ivrcast_sms_jobs_left_total",
              "Jobs left in sms.jobs because their carrier's sender was full, to be read again", {},
              static_cast<double>(m.left.load()));
  out.counter("ivrcast_sms_rewinds_total", "Partitions of sms.jobs read again for jobs left", {},
              static_cast<double>(m.rewinds.load()));
  out.counter("ivrcast_sms_jobs_total", "SMS jobs a sender ended, by carrier and status",
              {{"carrier", "none"}, {"status", "internal_error"}},
              static_cast<double>(m.unresolved.load()));
  out.counter("ivrcast_sms_jobs_read_total", "sms.jobs records read (forwarded copies included)",
              {}, static_cast<double>(m.jobs.load()));
  out.counter("ivrcast_sms_jobs_reread_total",
              "sms.jobs records a rewind read again that were not left (the rewinds' cost)", {},
              static_cast<double>(m.reread.load()));
  out.counter("ivrcast_sms_suppressed_total", "SMS not sent: over the abuse guard's limit", {},
              static_cast<double>(m.suppressed.load()));
  out.counter("ivrcast_sms_parts_accepted_total", "Parts the carrier accepted", {},
              static_cast<double>(m.parts_accepted.load()));
  out.counter("ivrcast_sms_throttled_total", "Submits the carrier refused as throttled", {},
              static_cast<double>(m.throttled.load()));
  const auto& r = impl_->log->receipts();
  out.counter("ivrcast_sms_receipts_total", "Delivery receipts folded into the delivery log",
              {{"match", "matched"}}, static_cast<double>(r.matched.load()));
  out.counter("ivrcast_sms_receipts_total", "Delivery receipts folded into the delivery log",
              {{"match", "parked"}}, static_cast<double>(r.parked.load()));
  out.counter("ivrcast_sms_receipts_unparked_total",
              "Parked receipts put onto their row once their submit was known", {},
              static_cast<double>(r.unparked.load()));
  out.histogram("ivrcast_delivery_log_apply_seconds",
                "Age of a status event when the delivery log has folded it in", {}, m.log_apply);
  if (impl_->jobs)
    kafka::collect_lag(out, "sms", impl_->jobs->lag());
  if (impl_->sends_reader)
    kafka::collect_lag(out, "sends_view", impl_->sends_reader->lag());
  if (impl_->status_reader)
    kafka::collect_lag(out, "delivery_log", impl_->status_reader->lag());
  if (impl_->usage_reader)
    kafka::collect_lag(out, "usage", impl_->usage_reader->lag());
  for (const auto& b : impl_->binds_now()) {
    out.gauge("ivrcast_smpp_binds", "SMPP bind slots this node holds, and how many are bound",
              {{"carrier", b.carrier}, {"state", "held"}}, b.held);
    out.gauge("ivrcast_smpp_binds", "SMPP bind slots this node holds, and how many are bound",
              {{"carrier", b.carrier}, {"state", "bound"}}, b.bound);
  }
}

void sms_service::readiness(metrics::readiness_input& out) const {
  out.sms_joined = impl_->jobs && impl_->jobs->joined();
  out.sms_partitions = owned_partitions();
  out.log_caught_up = impl_->log_live.load();
  out.carriers = impl_->binds_now();
}

caf::expected<std::unique_ptr<sms_service>> sms_service::start(
    const config::settings& s, std::shared_ptr<kafka::bus> bus,
    std::shared_ptr<storage::database> db, const storage::control_state& control,
    caf::actor_system& sys, metrics::registry* m) {
  auto p = std::make_unique<impl>();
  auto* d = p.get();
  d->settings = s;
  d->bus = std::move(bus);
  d->db = db;
  d->control = &control;
  // The published tables of an earlier run, else the files; the control reader brings newer.
  d->reload_carriers();
  if (!d->directory) {
    auto dir = sms::carrier_directory::load(s.sms.number_ranges, s.sms.ported);
    if (!dir)
      return std::move(dir.error());
    d->directory = std::make_shared<const sms::carrier_directory>(std::move(*dir));
  }
  d->sends = std::make_unique<storage::sends>(db);
  d->usage = std::make_unique<storage::usage>(db);
  d->log = std::make_unique<storage::delivery_log>(db, s.sms.docomo_retry_errors);
  if (auto indexed = d->log->index_accounts(); !indexed)
    return std::move(indexed.error());
  else if (*indexed > 0)
    logger().info("event=delivery_log_indexed_by_account rows={}", *indexed);
  auto prod = kafka::producer::open_placed(
      *d->bus, s.node.id + "-sms",
      [d](uint64_t t, bool ok, int32_t, int64_t offset) { d->on_delivery(t, ok, offset); });
  if (!prod)
    return std::move(prod.error());
  d->producer = std::move(*prod);
  d->dead_letters =
      std::make_unique<connectors::gateway::dead_letters>(*d->bus, *d->producer, s.node.id, m);
  d->sends_topic_name = d->bus->topic(topics::sms_sends);
  d->jobs_topic_name = d->bus->topic(topics::sms_jobs);
  d->status_topic_name = d->bus->topic(topics::sms_status);
  d->status_topic = d->producer->topic(d->status_topic_name);
  d->jobs_topic = d->producer->topic(d->jobs_topic_name);
  d->sends_topic = d->producer->topic(d->sends_topic_name);
  d->abuse.emplace(s.abuse.max_sms, int64_t{s.abuse.window_s} * 1000);
  d->intake.emplace(static_cast<size_t>(s.sms.held_per_carrier));

  // Views first: a sender consults both.
  d->status_handler.owner = d;
  d->sends_handler = std::make_unique<projection_feed<storage::sends>>(*d->sends, "sends", [d] {
    std::lock_guard<std::mutex> guard{d->sends_mtx};
    d->sends_cv.notify_all();
  });
  d->usage_handler = std::make_unique<projection_feed<storage::usage>>(*d->usage, "usage");
  // The views may lag a little (the sender waits on them only for in-doubt parts and takeovers).
  auto sr = kafka::partition_reader::open(*d->bus, d->sends_topic_name, s.node.id + "-sends",
                                          *d->sends_handler, kafka::fetch_pace::batched);
  if (!sr)
    return std::move(sr.error());
  d->sends_reader = std::move(*sr);
  auto st = kafka::partition_reader::open(*d->bus, d->status_topic_name, s.node.id + "-status",
                                          d->status_handler, kafka::fetch_pace::batched);
  if (!st)
    return std::move(st.error());
  d->status_reader = std::move(*st);
  auto ur = kafka::partition_reader::open(*d->bus, d->sends_topic_name, s.node.id + "-usage",
                                          *d->usage_handler, kafka::fetch_pace::batched);
  if (!ur)
    return std::move(ur.error());
  d->usage_reader = std::move(*ur);
  d->sends_reader->start();
  d->status_reader->start();
  d->usage_reader->start();

  for (auto c : sms::all_carriers) {
    auto i = static_cast<size_t>(c);
    const auto& cs = s.sms.carriers[i];
    auto& ctx = d->contexts[i];
    ctx.carrier = c;
    ctx.cfg = cs;
    d->plans.emplace_back(s.kafka.partitions, cs.connections);
    for (int k = 0; k < cs.connections; ++k)
      ctx.slot_partition.push_back(d->plans.back().partition_of(k));
    ctx.sessions = &d->sessions[i];
    ctx.producer = d->producer.get();
    ctx.sends_topic = d->sends_topic;
    ctx.status_topic = d->status_topic;
    ctx.log = d->log.get();
    ctx.sends = d->sends.get();
    ctx.log_live = &d->log_live;
    ctx.partitions = s.kafka.partitions;
    ctx.job_done = [d](int32_t part, int64_t off) { d->job_done(part, off); };
    ctx.fatal = [](const std::string& why) { stop_fatally(why); };
    ctx.metrics = &d->metrics;
    d->receipt_ids[i] = smpp::parse_id_format(cs.receipt_ids).value_or(smpp::id_format::text);
    if (!cs.smsc.empty()) {
      smpp::session_settings ss;
      int port = 0;
      if (!config::host_port(cs.smsc, ss.host, port))
        return caf::make_error(errc::bad_config, "sms." + std::string{sms::key(c)} + ".smsc",
                               "must be empty or host:port with a port from 1 to 65535");
      ss.port = static_cast<uint16_t>(port);
      ss.system_id = cs.system_id;
      ss.password = cs.password;
      ss.enquire_link_ms = cs.enquire_link_s * 1000;
      ss.response_timeout_ms = cs.response_timeout_ms;
      for (int k = 0; k < cs.connections; ++k)
        d->sessions[i].push_back(std::make_unique<smpp::session>(ss, k, d->links[i]));
    }
    // Detached: a full producer queue makes produce() wait, which must not hold a worker of
    // the cooperative scheduler that call sessions share.
    d->senders[i] = sys.spawn<caf::detached>(sms_sender, &ctx);
    supervise(d->senders[i], "SMS sender of " + std::string{sms::key(c)});
    d->links[i].owner = d;
    d->links[i].index = i;
    d->links[i].sender = d->senders[i];
    // Sessions bind when their partition is assigned (assigned()).
  }

  // No caller waits on a job: the sender takes them up in bulk, sparing the broker requests.
  auto jobs = kafka::group_consumer::open(*d->bus, s.sms.group_id, d->jobs_topic_name,
                                          s.node.id + "-sms-jobs", *d, kafka::fetch_pace::batched);
  if (!jobs)
    return std::move(jobs.error());
  d->jobs = std::move(*jobs);
  d->jobs->start();
  d->upkeep = std::thread{[d] { d->upkeep_loop(); }};
  logger().info("event=sms_service_started node={}", s.node.id);
  return std::unique_ptr<sms_service>{new sms_service(std::move(p))};
}

}  // namespace ivrcast::actors
