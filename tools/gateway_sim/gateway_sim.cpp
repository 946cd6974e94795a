#include "tools/gateway_sim/gateway_sim.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <mutex>
#include <random>
#include <thread>
#include <unordered_map>

#include "connectors/control/flow_file.hpp"
#include "connectors/gateway/codec.hpp"
#include "connectors/kafka/bus.hpp"
#include "connectors/kafka/consumer.hpp"
#include "connectors/kafka/producer.hpp"
#include "gateway/call_script.hpp"
#include "messages/clock.hpp"
#include "messages/errc.hpp"
#include "messages/phone.hpp"

namespace ivrcast::tools {
namespace {

namespace kafka = connectors::kafka;
using messages::call_event;
using messages::call_event_kind;
using messages::input_end;
using clock_type = std::chrono::steady_clock;

constexpr const char* names[] = {
    "mobile", "landline_valid", "landline_retry", "landline_give_up",   "silence", "hash_early",
    "hangup", "withheld",       "unknown_number", "terminated_account", "hold"};

/// What the IVR should do with a scenario's call.
const char* expected_outcome(scenario s) {
  switch (s) {
    case scenario::landline_give_up:
    case scenario::silence:
      return "gave_up";
    case scenario::hangup:
      return "caller_hung_up";
    case scenario::unknown_number:
    case scenario::terminated_account:
      return "rejected";
    case scenario::hold:
      return "held";
    default:
      return "sms_requested";
  }
}

/// The keys a caller of scenario `s` presses at its `attempt`-th collect (1-based).
std::pair<std::string, input_end> keys_for(scenario s, int attempt, const std::string& valid) {
  switch (s) {
    case scenario::landline_retry:
      return attempt == 1 ? std::pair{std::string{"12345"}, input_end::terminator}
                          : std::pair{valid, input_end::max_digits};
    case scenario::hash_early:
      if (attempt == 1)
        return {"090", input_end::terminator};
      if (attempt == 2)
        return {"", input_end::terminator};
      return {valid, input_end::max_digits};
    case scenario::landline_give_up:
      if (attempt == 1)
        return {"0312345678", input_end::terminator};  // a landline: not textable
      if (attempt == 2)
        return {"99999999999", input_end::max_digits};
      return {"0901234", input_end::timeout};
    case scenario::silence:
      return {"", input_end::timeout};
    default:
      return {valid, input_end::max_digits};
  }
}

struct sim_call {
  scenario sc = scenario::mobile;
  std::string gateway;
  std::string called;
  std::string version;
  std::string destination;  // the mobile number to text (caller's own, or to key in)
  uint32_t next_sequence = 1;
  int collects = 0;
  clock_type::time_point last_sent;
  bool done = false;
  gateway::call_script script;  // the SIP gateway's collect rules, with prompts of no length
};

}  // namespace

const char* to_string(scenario s) {
  return names[static_cast<int>(s)];
}

caf::expected<std::vector<std::pair<scenario, int>>> parse_mix(std::string_view mix) {
  std::vector<std::pair<scenario, int>> out;
  while (!mix.empty()) {
    auto comma = mix.find(',');
    auto part = mix.substr(0, comma);
    mix = comma == std::string_view::npos ? std::string_view{} : mix.substr(comma + 1);
    auto eq = part.find('=');
    auto name = part.substr(0, eq);
    while (!name.empty() && name.front() == ' ')
      name.remove_prefix(1);
    int weight =
        eq == std::string_view::npos ? -1 : std::atoi(std::string{part.substr(eq + 1)}.c_str());
    auto it = std::find(std::begin(names), std::end(names), name);
    if (it == std::end(names) || weight < 0)
      return caf::make_error(errc::bad_config,
                             "demo.mix: unknown scenario or weight in '" + std::string{part} + "'");
    if (weight > 0)
      out.emplace_back(static_cast<scenario>(it - std::begin(names)), weight);
  }
  if (out.empty())
    return caf::make_error(errc::bad_config, "demo.mix: no scenario with a positive weight");
  return out;
}

sim_targets targets_from(const connectors::control::flow_file& f) {
  sim_targets t;
  std::map<std::string, bool> active;
  for (const auto& a : f.accounts)
    active[a.account_id()] = a.state() == wire::ACCOUNT_STATE_ACTIVE;
  for (const auto& fl : f.flows) {
    if (active[fl.account_id()])
      t.active.emplace_back(fl.incoming_number(), fl.version_id());
    else if (t.terminated.empty())
      t.terminated = fl.incoming_number();
  }
  return t;
}

struct gateway_sim::impl final : kafka::partition_reader::handler {
  sim_options opts;
  sim_targets targets;
  std::unique_ptr<kafka::producer> producer;
  kafka::producer::topic_ref events_topic;
  std::unique_ptr<kafka::partition_reader> commands;
  std::thread pacer;
  std::atomic<bool> stopping{false};
  std::string nonce;
  uint64_t nonce_hash = 0;  // spreads destinations apart between runs
  uint64_t mix_total = 0;   // sum of the scenario weights
  clock_type::time_point began;

  mutable std::mutex mtx;
  std::unordered_map<std::string, sim_call> calls;
  uint64_t started = 0;
  uint64_t finished = 0;
  uint64_t unexpected = 0;
  double completed_s = 0;
  std::map<std::string, uint64_t> outcomes;
  std::map<std::string, uint64_t> by_scenario;
  std::map<std::string, uint64_t> by_number;
  std::vector<float> latencies_ms;
  std::atomic<uint64_t> events_sent{0};
  std::atomic<uint64_t> event_bytes{0};
  uint64_t commands_read = 0;  // ours, under mtx
  uint64_t command_bytes = 0;
  std::vector<expected_sms> expected;
  std::vector<std::string> problem_list;

  // -- placing calls (pacer thread) ----------------------------------------------------------

  scenario pick(uint64_t n) const {
    // Deterministic interleaving: call n takes slot n mod total, so any 2,000 calls of a mix
    // hold each scenario in proportion.
    int slot = static_cast<int>(n % mix_total);
    for (const auto& [s, w] : opts.mix) {
      if (slot < w)
        return s;
      slot -= w;
    }
    return opts.mix.front().first;
  }

  void send(const std::string& call, sim_call& c, call_event ev) {
    ev.call = call_id{call};
    ev.gateway = gateway_id{c.gateway};
    ev.occurred_at_ms = unix_now_ms() - opts.backdate_ms;
    ev.sequence = c.next_sequence++;
    thread_local std::string buf;
    connectors::gateway::encode(ev, buf);
    c.last_sent = clock_type::now();
    ++events_sent;
    event_bytes += buf.size();
    producer->produce(events_topic, call, buf, 0);
  }

  void place(uint64_t n) {
    auto sc = pick(n);
    char id[64];
    std::snprintf(id, sizeof id, "%s-%s-%llu", opts.gateway_id.c_str(), nonce.c_str(),
                  static_cast<unsigned long long>(n));
    sim_call c;
    c.sc = sc;
    c.gateway = opts.gateway_id + "-" + std::to_string(n % static_cast<uint64_t>(opts.gateways));
    static constexpr const char* prefixes[] = {"090", "080", "070"};
    char digits[16];
    std::snprintf(digits, sizeof digits, "%08llu",
                  static_cast<unsigned long long>((n * 2654435761ULL + nonce_hash) % 100000000ULL));
    c.destination = std::string{prefixes[n % 3]} + digits;
    call_event ev;
    ev.kind = call_event_kind::started;
    const auto& [number, version] = targets.active[n % targets.active.size()];
    c.called = number;
    c.version = version;
    if (sc == scenario::unknown_number)
      c.called = targets.unknown;
    else if (sc == scenario::terminated_account)
      c.called = targets.terminated;
    // The gateway may present numbers in international form: the IVR must normalise them.
    ev.called = n % 2 ? "+81" + c.called.substr(1) : c.called;
    if (sc == scenario::mobile)
      ev.calling = "+81 " + c.destination.substr(1, 2) + "-" + c.destination.substr(3, 4) + "-" +
                   c.destination.substr(7);
    else if (sc == scenario::withheld)
      ev.calling = n % 2 ? "" : "anonymous";
    else
      ev.calling = "03" + std::string{digits};
    std::lock_guard<std::mutex> guard{mtx};
    ++started;
    ++by_scenario[to_string(sc)];
    ++by_number[c.called];
    auto& stored = calls.emplace(id, std::move(c)).first->second;
    send(id, stored, std::move(ev));
  }

  void run_pacer() {
    began = clock_type::now();
    uint64_t n = 0;
    while (!stopping.load() && (opts.total_calls == 0 || n < opts.total_calls)) {
      auto elapsed = std::chrono::duration<double>(clock_type::now() - began).count();
      auto due = static_cast<uint64_t>(elapsed * opts.calls_per_second) + 1;
      if (opts.total_calls)
        due = std::min(due, opts.total_calls);
      while (n < due && !stopping.load())
        place(n++);
      std::this_thread::sleep_for(std::chrono::milliseconds{1});  // pacing, not synchronisation
    }
  }

  // -- answering commands (reader thread) ----------------------------------------------------

  int64_t start_offset(int32_t) override { return -1; }  // only commands from now on

  void records(int32_t, std::span<const kafka::record> batch) override {
    auto now = clock_type::now();
    std::lock_guard<std::mutex> guard{mtx};
    for (const auto& r : batch) {
      if (!r.key.starts_with(opts.gateway_id))
        continue;  // another gateway's
      ++commands_read;
      command_bytes += r.value.size();
      auto cmd = connectors::gateway::decode_command(r.value);
      if (!cmd)
        continue;
      auto it = calls.find(cmd->call.value);
      if (it == calls.end() || it->second.done || cmd->seq <= it->second.script.last_seq())
        continue;  // not ours, finished, or a duplicate: each seq runs once
      handle(it->first, it->second, *cmd, now);
    }
  }

  void finish(const std::string& id, sim_call& c, const std::string& outcome) {
    c.done = true;
    ++finished;
    ++outcomes[outcome];
    bool ok = outcome == expected_outcome(c.sc);
    if (!ok) {
      ++unexpected;
      problem_list.push_back(id + ": scenario " + to_string(c.sc) + " expected " +
                             expected_outcome(c.sc) + ", IVR did " + outcome);
    } else if (outcome == "sms_requested") {
      expected.push_back({id, c.destination, c.version});
    }
    if (finished == opts.total_calls)
      completed_s = std::chrono::duration<double>(clock_type::now() - began).count();
    if (outcome != "held")
      calls.erase(id);  // a held call stays live at the IVR; keep it to ignore its commands
  }

  void handle(const std::string& id, sim_call& c, const messages::call_command& cmd,
              clock_type::time_point now) {
    if (now - began >= opts.latency_from)
      latencies_ms.push_back(std::chrono::duration<float, std::milli>(now - c.last_sent).count());
    std::string outcome = "other";
    for (const auto& a : cmd.actions) {
      if (a.prompt_id == "step4")
        outcome = "sms_requested";
      else if (a.prompt_id == "step6")
        outcome = "gave_up";
      else if (a.prompt_id == "rejected")
        outcome = "rejected";
      if (a.kind == messages::action_kind::hangup &&
          a.cause == messages::hangup_cause::max_duration)
        outcome = "expired";
    }
    auto now_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
    std::vector<gateway::effect> fx;
    c.script.command(cmd, now_ms, fx);
    if (!run_effects(id, c, fx, now_ms, outcome))
      return;  // hung up
    if (!c.script.collecting())
      return;
    if (c.sc == scenario::hold) {
      finish(id, c, "held");  // counted once it is waiting for digits that never come
      return;
    }
    if (c.sc == scenario::hangup) {
      call_event ev;
      ev.kind = call_event_kind::ended;
      ev.reason = messages::end_reason::caller_hung_up;
      send(id, c, std::move(ev));
      finish(id, c, "caller_hung_up");
      return;
    }
    // The caller keys as the scenario says; the script decides how the entry ends.
    auto [keys, end] = keys_for(c.sc, ++c.collects, c.destination);
    fx.clear();
    for (char k : keys)
      c.script.key(k, now_ms, fx);
    if (end == input_end::terminator)
      c.script.key('#', now_ms, fx);
    else if (end == input_end::timeout)
      c.script.tick(c.script.deadline_ms(), fx);
    run_effects(id, c, fx, now_ms, outcome);
  }

  /// Carries out the script's effects: prompts end at once, digits and hang-ups become events.
  /// False when the call hung up.
  bool run_effects(const std::string& id, sim_call& c, std::vector<gateway::effect>& fx,
                   int64_t now_ms, const std::string& outcome) {
    for (size_t i = 0; i < fx.size(); ++i) {
      auto e = std::move(fx[i]);
      switch (e.kind) {
        case gateway::effect_kind::play:
          c.script.play_done(now_ms, fx);  // appends what follows the prompt
          break;
        case gateway::effect_kind::digits: {
          call_event ev;
          ev.kind = call_event_kind::digits_collected;
          ev.command_seq = e.seq;
          ev.digits = std::move(e.digits);
          ev.end = e.end;
          send(id, c, std::move(ev));
          break;
        }
        case gateway::effect_kind::hangup: {
          call_event ev;
          ev.kind = call_event_kind::ended;
          ev.reason = messages::end_reason::ivr_hung_up;
          send(id, c, std::move(ev));
          finish(id, c, outcome);
          return false;
        }
        default:
          break;  // stop_play, prompt_finished: nothing to simulate
      }
    }
    return true;
  }
};

gateway_sim::gateway_sim(std::unique_ptr<impl> p) : impl_(std::move(p)) {}

gateway_sim::~gateway_sim() {
  stop();
}

caf::expected<std::unique_ptr<gateway_sim>> gateway_sim::start(const kafka::bus& b,
                                                               sim_options opts,
                                                               sim_targets targets) {
  if (targets.active.empty())
    return caf::make_error(errc::bad_input, "gateway_sim",
                           "no published flow of an active account");
  for (const auto& [s, w] : opts.mix)
    if (s == scenario::terminated_account && targets.terminated.empty())
      return caf::make_error(errc::bad_input, "gateway_sim",
                             "terminated_account needs a flow of a terminated account");
  auto p = std::make_unique<impl>();
  p->opts = std::move(opts);
  p->targets = std::move(targets);
  std::random_device rd;
  char nonce[16];
  std::snprintf(nonce, sizeof nonce, "%08x", rd());
  p->nonce = nonce;
  p->nonce_hash = std::hash<std::string>{}(p->nonce);
  for (const auto& [s, w] : p->opts.mix)
    p->mix_total += static_cast<uint64_t>(w);
  auto prod = kafka::producer::open(b, p->opts.gateway_id + "-producer", {});
  if (!prod)
    return std::move(prod.error());
  p->producer = std::move(*prod);
  p->events_topic = p->producer->topic(b.topic(topics::call_events));
  auto reader = kafka::partition_reader::open(b, b.topic(topics::call_commands),
                                              p->opts.gateway_id + "-" + p->nonce, *p);
  if (!reader)
    return std::move(reader.error());
  p->commands = std::move(*reader);
  p->commands->start();
  auto* raw = p.get();
  p->pacer = std::thread{[raw] { raw->run_pacer(); }};
  return std::unique_ptr<gateway_sim>{new gateway_sim(std::move(p))};
}

void gateway_sim::stop() {
  if (impl_->stopping.exchange(true))
    return;
  if (impl_->pacer.joinable())
    impl_->pacer.join();
  impl_->commands->stop();
}

sim_report gateway_sim::report() const {
  sim_report r;
  std::vector<float> lat;
  {
    std::lock_guard<std::mutex> guard{impl_->mtx};
    r.started = impl_->started;
    r.finished = impl_->finished;
    r.unexpected = impl_->unexpected;
    r.completed_s = impl_->completed_s;
    r.events = impl_->events_sent.load();
    r.event_bytes = impl_->event_bytes.load();
    r.commands = impl_->commands_read;
    r.command_bytes = impl_->command_bytes;
    r.outcomes = impl_->outcomes;
    r.by_scenario = impl_->by_scenario;
    r.by_number = impl_->by_number;
    lat = impl_->latencies_ms;
  }
  r.elapsed_s = std::chrono::duration<double>(clock_type::now() - impl_->began).count();
  r.latency_samples = lat.size();
  if (!lat.empty()) {
    auto at = [&](double q) {
      auto k = static_cast<size_t>(q * static_cast<double>(lat.size() - 1));
      std::nth_element(lat.begin(), lat.begin() + static_cast<long>(k), lat.end());
      return static_cast<double>(lat[k]);
    };
    r.latency_p50_ms = at(0.50);
    r.latency_p99_ms = at(0.99);
    r.latency_max_ms = *std::max_element(lat.begin(), lat.end());
  }
  return r;
}

bool gateway_sim::all_done() const {
  std::lock_guard<std::mutex> guard{impl_->mtx};
  bool all_placed = impl_->opts.total_calls == 0 || impl_->started == impl_->opts.total_calls;
  return all_placed && impl_->finished == impl_->started;
}

std::vector<expected_sms> gateway_sim::expected_jobs() const {
  std::lock_guard<std::mutex> guard{impl_->mtx};
  return impl_->expected;
}

std::vector<std::string> gateway_sim::problems() const {
  std::lock_guard<std::mutex> guard{impl_->mtx};
  return impl_->problem_list;
}

}  // namespace ivrcast::tools
