#include "actors/node.hpp"

#include <condition_variable>
#include <mutex>
#include <unordered_map>

#include <caf/all.hpp>

#include "actors/call_counter.hpp"
#include "actors/call_router.hpp"
#include "actors/log.hpp"
#include "actors/projection_feed.hpp"
#include "actors/prompt_speech.hpp"
#include "actors/sms_service.hpp"
#include "actors/supervise.hpp"
#include "actors/tsan_handoff.hpp"
#include "connectors/control/codec.hpp"
#include "connectors/gateway/codec.hpp"
#include "connectors/gateway/dead_letters.hpp"
#include "connectors/gateway/kafka_outbox.hpp"
#include "connectors/kafka/bus.hpp"
#include "connectors/kafka/consumer.hpp"
#include "connectors/kafka/producer.hpp"
#include "control/api.hpp"
#include "ivr/call_logic.hpp"
#include "messages/errc.hpp"
#include "metrics/health.hpp"
#include "metrics/registry.hpp"
#include "storage/audit_log.hpp"
#include "storage/call_counts.hpp"
#include "storage/control_state.hpp"
#include "storage/database.hpp"

namespace ivrcast::actors {
namespace {

namespace kafka = connectors::kafka;

/// What a reader of calls.events keeps of its records.
enum class decoded {
  all,     // every event, and the refused records with their reason for the dead letter
  starts,  // the `started` events only: all the call counts fold in (the router dead-letters)
};

/// Decodes a run of call-event records.
messages::call_event_batch decode_batch(int32_t partition, std::span<const kafka::record> recs,
                                        decoded keep) {
  messages::call_event_batch b;
  b.partition = partition_id{partition};
  b.last_offset = recs.back().offset;
  if (keep == decoded::all)
    b.events.reserve(recs.size());
  for (const auto& r : recs) {
    if (keep == decoded::starts && !connectors::gateway::is_start_event(r.value))
      continue;  // most events are not starts: not decoded at all
    auto ev = connectors::gateway::decode_event(r.key, r.value, r.offset);
    if (ev)
      b.events.push_back(std::move(*ev));
    else if (keep == decoded::all)
      b.rejected.push_back(
          {r.offset, describe(ev.error()), std::string{r.key}, std::string{r.value}});
  }
  return b;
}

/// Folds control.state into the node's RocksDB (control_state) and keeps the IVR's flow table
/// in step with it. The table is rebuilt from RocksDB at start; the topic is read from the
/// checkpoint on.
class control_feed final : public kafka::partition_reader::handler {
 public:
  control_feed(storage::control_state& state, messages::flow_source& out,
               std::function<void()> carriers_changed)
      : state_(&state), out_(&out), carriers_changed_(std::move(carriers_changed)) {}

  /// The flow table from what RocksDB already holds.
  caf::expected<void> load() {
    caf::expected<void> result{};
    out_->update([&](messages::flow_table& next) {
      for (auto prefix : {"account/", "flow/"})
        if (auto ok = state_->scan(prefix,
                                   [&](std::string_view key, const wire::ControlRecord& r) {
                                     fold(key, &r, next);
                                     return true;
                                   });
            !ok)
          result = std::move(ok.error());
    });
    return result;
  }

  int64_t start_offset(int32_t) override { return state_->applied() + 1; }

  void records(int32_t, std::span<const kafka::record> batch) override {
    inputs_.clear();
    for (const auto& r : batch)
      inputs_.push_back({r.offset, r.key, r.value});
    std::vector<std::string> refused;
    auto changes = state_->apply(batch.back().offset, inputs_, refused);
    for (const auto& why : refused)
      logger().warn("event=control_record_refused reason=\"{}\"", why);
    if (!changes) {
      logger().error("event=control_apply_failed error=\"{}\"", describe(changes.error()));
      return;
    }
    bool relevant = false;
    bool carriers = false;
    for (const auto& c : *changes) {
      relevant |= c.key.starts_with("account/") || c.key.starts_with("flow/");
      carriers |= c.key.starts_with("carriers/");
    }
    if (carriers && carriers_changed_)
      carriers_changed_();
    if (relevant)
      out_->update([&](messages::flow_table& next) {
        for (const auto& c : *changes)
          fold(c.key, c.record ? &*c.record : nullptr, next);
      });
  }

  void caught_up() override {
    std::lock_guard<std::mutex> guard{mtx_};
    done_ = true;
    cv_.notify_all();
  }

  bool wait(std::chrono::seconds timeout) {
    std::unique_lock<std::mutex> guard{mtx_};
    return cv_.wait_for(guard, timeout, [this] { return done_; });
  }

 private:
  static void fold(std::string_view key, const wire::ControlRecord* r, messages::flow_table& t) {
    if (auto ok = connectors::control::apply_record(key, r, t); !ok)
      logger().warn("event=control_record_refused key={} reason=\"{}\"", key, describe(ok.error()));
  }

  storage::control_state* state_;
  messages::flow_source* out_;
  std::function<void()> carriers_changed_;  // a new carrier table version arrived
  std::vector<storage::control_input> inputs_;
  std::mutex mtx_;
  std::condition_variable cv_;
  bool done_ = false;
};

/// Feeds the call-count projection from every partition, from its RocksDB checkpoints.
class counter_feed final : public kafka::partition_reader::handler {
 public:
  counter_feed(call_counter_actor counter, std::shared_ptr<storage::call_counts> counts)
      : counter_(std::move(counter)), counts_(std::move(counts)) {}

  int64_t start_offset(int32_t partition) override {
    auto cp = counts_->checkpoint(partition);
    if (!cp) {
      logger().error("event=checkpoint_unreadable partition={} error=\"{}\"", partition,
                     describe(cp.error()));
      return 0;  // re-reading is safe: events at or below the checkpoint are skipped
    }
    return *cp + 1;
  }

  void records(int32_t partition, std::span<const kafka::record> recs) override {
    tsan_handoff(counter_);
    caf::anon_send(counter_, atom::apply_v, decode_batch(partition, recs, decoded::starts));
  }

 private:
  call_counter_actor counter_;
  std::shared_ptr<storage::call_counts> counts_;
};

}  // namespace

struct node::impl final : kafka::consumer_handler {
  struct owned_partition {
    call_router_actor router;
    std::shared_ptr<std::atomic<int64_t>> commit_point;
  };

  config::settings settings;
  std::shared_ptr<kafka::bus> bus;
  metrics::registry registry;  // outlives everything that counts into it
  std::shared_ptr<storage::database> db;
  std::shared_ptr<storage::call_counts> counts;
  node_metrics metrics;
  messages::flow_source flows;
  std::unique_ptr<kafka::producer> producer;
  std::unique_ptr<connectors::gateway::kafka_outbox> outbox;
  std::unique_ptr<connectors::gateway::dead_letters> dead_letters;
  router_context ctx;
  std::unique_ptr<caf::actor_system_config> cfg;
  std::unique_ptr<caf::actor_system> system;
  call_counter_actor counter;
  std::mutex routers_mtx;
  std::unordered_map<int32_t, owned_partition> routers;
  std::shared_ptr<storage::control_state> control;
  std::unique_ptr<control_feed> control_view;
  std::unique_ptr<counter_feed> feed;
  std::unique_ptr<kafka::partition_reader> control_reader;
  std::unique_ptr<kafka::partition_reader> counts_reader;
  std::unique_ptr<storage::audit_log> audit;
  std::unique_ptr<projection_feed<storage::audit_log>> audit_handler;
  std::unique_ptr<kafka::partition_reader> audit_reader;
  std::unique_ptr<kafka::group_consumer> calls;
  std::unique_ptr<sms_service> sms;
  std::unique_ptr<control::api> api;
  bool stopped = false;

  // -- metrics and readiness (HTTP threads) --------------------------------------------------

  void collect(metrics::scrape& out) const {
    for (size_t i = 1; i < metrics.outcomes.size(); ++i)
      out.counter("ivrcast_calls_total", "Calls ended, by outcome",
                  {{"outcome", ivr::to_string(static_cast<ivr::call_outcome>(i))}},
                  static_cast<double>(metrics.outcomes[i].load()));
    out.counter("ivrcast_calls_started_total", "Calls started (first start of each call)", {},
                static_cast<double>(metrics.calls_started.load()));
    out.counter("ivrcast_call_events_total", "Call events handled", {},
                static_cast<double>(metrics.events.load()));
    out.counter("ivrcast_call_commands_total", "Call commands sent to gateways", {},
                static_cast<double>(metrics.commands.load()));
    out.counter("ivrcast_sms_requested_total", "SMS jobs calls asked for", {},
                static_cast<double>(metrics.sms_jobs.load()));
    out.gauge("ivrcast_live_sessions", "Call sessions running on this node", {},
              static_cast<double>(metrics.live_sessions.load()));
    out.histogram("ivrcast_event_to_command_seconds",
                  "From a gateway's call event to the command it caused", {},
                  metrics.event_to_command);
    if (calls)
      kafka::collect_lag(out, "calls", calls->lag());
    if (counts_reader)
      kafka::collect_lag(out, "call_counts", counts_reader->lag());
    if (control_reader)
      kafka::collect_lag(out, "control_state", control_reader->lag());
    if (sms)
      sms->collect(out);
  }

  metrics::readiness ready() const {
    metrics::readiness_input in;
    if (auto ok = producer->reachable(std::chrono::milliseconds{1500}); ok)
      in.kafka_reachable = true;
    else
      in.kafka_error = describe(ok.error());
    in.calls_joined = calls && calls->joined();
    in.calls_partitions = calls ? calls->owned() : 0;
    in.control_caught_up = control_reader && control_reader->caught_up();
    in.counts_caught_up = counts_reader && counts_reader->caught_up();
    if (sms)
      sms->readiness(in);
    return metrics::evaluate(in);
  }

  ~impl() override { shutdown(); }

  // -- consumer_handler (calls topic, consumer thread) ---------------------------------------

  void assigned(const std::vector<int32_t>& partitions) override {
    std::lock_guard<std::mutex> guard{routers_mtx};
    for (auto p : partitions) {
      auto point = std::make_shared<std::atomic<int64_t>>(-1);
      auto router = system->spawn(call_router, &ctx, p, point);
      supervise(router, "call router of partition " + std::to_string(p));
      routers[p] = owned_partition{router, point};
    }
  }

  void revoked(const std::vector<int32_t>& partitions) override {
    std::lock_guard<std::mutex> guard{routers_mtx};
    for (auto p : partitions)
      if (auto it = routers.find(p); it != routers.end())
        caf::anon_send_exit(it->second.router, caf::exit_reason::user_shutdown);
    // The commit points stay until the commit that follows has read them.
  }

  void records(int32_t partition, std::span<const kafka::record> recs) override {
    auto b = decode_batch(partition, recs, decoded::all);
    std::lock_guard<std::mutex> guard{routers_mtx};
    if (auto it = routers.find(partition); it != routers.end())
      caf::anon_send(it->second.router, std::move(b));
  }

  int64_t committable(int32_t partition) override {
    std::lock_guard<std::mutex> guard{routers_mtx};
    auto it = routers.find(partition);
    return it == routers.end() ? -1 : it->second.commit_point->load();
  }

  // -- producer thread -----------------------------------------------------------------------

  void on_delivery(uint64_t ticket, bool ok) {
    if (!ok)
      return;  // never finished: the commit point stays before it, a restart replays it
    auto t = messages::delivery_ticket::unpack(ticket);
    std::lock_guard<std::mutex> guard{routers_mtx};
    if (auto it = routers.find(t.partition); it != routers.end())
      caf::anon_send(it->second.router, atom::delivered_v, t.offset);
  }

  void shutdown() {
    if (stopped)
      return;
    stopped = true;
    if (api)
      api->stop();
    if (calls)
      calls->stop();
    if (sms)
      sms->stop();
    for (auto* r : {counts_reader.get(), control_reader.get(), audit_reader.get()})
      if (r)
        r->stop();
    if (system) {
      {
        std::lock_guard<std::mutex> guard{routers_mtx};
        for (auto& [p, o] : routers)
          caf::anon_send_exit(o.router, caf::exit_reason::user_shutdown);
      }
      caf::anon_send_exit(counter, caf::exit_reason::user_shutdown);
      logger().info("event=awaiting_actors running={} routers={} sessions={}",
                    system->registry().running(), routers.size(), metrics.live_sessions.load());
      system->await_all_actors_done();
    }
    if (producer)
      if (auto ok = producer->flush(std::chrono::seconds{10}); !ok)
        logger().warn("event=flush_incomplete error=\"{}\"", describe(ok.error()));
    logger().info("event=node_stopped node={}", settings.node.id);
  }
};

node::node(std::unique_ptr<impl> p) : impl_(std::move(p)) {}

node::~node() {
  stop();
}

void node::stop() {
  impl_->shutdown();
}

const node_metrics& node::metrics() const {
  return impl_->metrics;
}

const storage::call_counts& node::counts() const {
  return *impl_->counts;
}

const sms_service& node::sms() const {
  return *impl_->sms;
}

int node::http_port() const {
  return impl_->api ? impl_->api->port() : 0;
}

const storage::control_state& node::control() const {
  return *impl_->control;
}

size_t node::owned_partitions() const {
  return impl_->calls ? impl_->calls->owned() : 0;
}

caf::expected<std::unique_ptr<node>> node::start(const config::settings& s,
                                                 std::shared_ptr<kafka::bus> bus,
                                                 std::function<int64_t()> clock) {
  auto p = std::make_unique<impl>();
  auto* d = p.get();
  d->settings = s;
  d->bus = std::move(bus);
  auto db = storage::database::open(s.node.data_dir);
  if (!db)
    return std::move(db.error());
  d->db = std::move(*db);
  // Calls count for the account the number belongs to when they are folded in; the control
  // view is read before the counts start folding.
  d->counts = std::make_shared<storage::call_counts>(
      d->db, [d](std::string_view number) { return d->flows.current()->owner_of(number); });
  auto prod = kafka::producer::open(*d->bus, s.node.id + "-producer",
                                    [d](uint64_t t, bool ok) { d->on_delivery(t, ok); });
  if (!prod)
    return std::move(prod.error());
  d->producer = std::move(*prod);
  d->outbox = std::make_unique<connectors::gateway::kafka_outbox>(*d->bus, *d->producer);
  d->dead_letters = std::make_unique<connectors::gateway::dead_letters>(*d->bus, *d->producer,
                                                                        s.node.id, &d->registry);

  d->cfg = std::make_unique<caf::actor_system_config>();
  d->cfg->add_message_types<caf::id_block::ivrcast>();
  d->cfg->set("logger.verbosity", caf::atom("quiet"));
  // A worker out of work spins 100 times, then CAF's default has it sleep 50 us up to 500 times
  // before it waits on its condition variable. Between the bursts of a call's events that is
  // thousands of wake-ups a second, on cores the node shares with the broker and the gateways:
  // without them, a worker waits at once and the next message wakes it. Measured at 6,500
  // calls/s (bench/call_path_ab.sh): event -> command p50 6.5 ms instead of 9.3, and 10% less
  // of the node's CPU per call.
  d->cfg->set("work-stealing.moderate-poll-attempts", size_t{0});
  d->system = std::make_unique<caf::actor_system>(*d->cfg);

  d->ctx.session.ivr = &d->settings.ivr;
  d->ctx.session.outbox = d->outbox.get();
  d->ctx.session.metrics = &d->metrics;
  d->ctx.flows = &d->flows;
  d->ctx.dead_letters = d->dead_letters.get();
  d->ctx.counts = d->counts.get();
  d->ctx.events_topic = d->bus->topic(topics::call_events);
  d->ctx.max_call_ms = int64_t{s.ivr.max_call_duration_s} * 1000;
  d->counter = d->system->spawn(call_counter, d->counts, s.sms.retention_ms());
  supervise(d->counter, "call counter");
  d->control = std::make_shared<storage::control_state>(d->db);
  auto sms = sms_service::start(s, d->bus, d->db, *d->control, *d->system, &d->registry);
  if (!sms)
    return std::move(sms.error());
  d->sms = std::move(*sms);

  // The control view first: a call routed before the flows are known would be rejected.
  d->control_view =
      std::make_unique<control_feed>(*d->control, d->flows, [d] { d->sms->reload_carriers(); });
  if (auto ok = d->control_view->load(); !ok)
    return std::move(ok.error());
  auto cr0 = kafka::partition_reader::open(*d->bus, d->bus->topic(topics::control_state),
                                           s.node.id + "-control", *d->control_view,
                                           kafka::fetch_pace::batched);
  if (!cr0)
    return std::move(cr0.error());
  d->control_reader = std::move(*cr0);
  d->control_reader->start();
  if (!d->control_view->wait(std::chrono::seconds{60}))
    return caf::make_error(errc::timeout, "node.start", "control topic not read within 60 s");
  logger().info("event=control_view_ready node={} flows={} accounts={}", s.node.id,
                d->flows.current()->flows.size(), d->flows.current()->accounts.size());
  if (auto ok = mark_published_audio(*d->bus, *d->control); !ok)
    return std::move(ok.error());

  auto moved = d->counts->move_to_accounts();
  if (!moved)
    return std::move(moved.error());
  if (*moved > 0)
    logger().info("event=call_counts_moved_to_accounts keys={}", *moved);
  d->feed = std::make_unique<counter_feed>(d->counter, d->counts);
  auto cr =
      kafka::partition_reader::open(*d->bus, d->bus->topic(topics::call_events),
                                    s.node.id + "-counts", *d->feed, kafka::fetch_pace::batched);
  if (!cr)
    return std::move(cr.error());
  d->counts_reader = std::move(*cr);
  d->counts_reader->start();

  auto audit = storage::audit_log::open(d->db);
  if (!audit)
    return std::move(audit.error());
  d->audit = std::move(*audit);
  d->audit_handler = std::make_unique<projection_feed<storage::audit_log>>(*d->audit, "audit");
  auto ar = kafka::partition_reader::open(*d->bus, d->bus->topic(topics::control_audit),
                                          s.node.id + "-audit", *d->audit_handler,
                                          kafka::fetch_pace::batched);
  if (!ar)
    return std::move(ar.error());
  d->audit_reader = std::move(*ar);
  d->audit_reader->start();

  auto calls = kafka::group_consumer::open(
      *d->bus, s.kafka.group_id, d->bus->topic(topics::call_events), s.node.id + "-calls", *d);
  if (!calls)
    return std::move(calls.error());
  d->calls = std::move(*calls);
  d->calls->start();
  if (!s.http.listen.empty()) {
    control::api_deps deps;
    deps.settings = &d->settings;
    deps.state = d->control.get();
    deps.log = &d->sms->log();
    deps.counts = d->counts.get();
    deps.usage = &d->sms->usage();
    deps.audit = d->audit.get();
    deps.bus = d->bus.get();
    deps.now_ms = clock;
    deps.metrics = &d->registry;
    deps.readiness = [d] { return d->ready(); };
    auto api = control::api::start(std::move(deps));
    if (!api)
      return std::move(api.error());
    d->api = std::move(*api);
  }
  d->registry.add([d](metrics::scrape& out) { d->collect(out); });
  logger().info("event=node_started node={} brokers={}", s.node.id, d->bus->brokers());
  return std::unique_ptr<node>{new node(std::move(p))};
}

}  // namespace ivrcast::actors
