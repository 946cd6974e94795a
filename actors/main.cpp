// The ivrcast executable: `run` a node, `demo` everything in one process, `sim` callers against
// a cluster, `publish-flows`, `config-reference`.

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include <spdlog/spdlog.h>

#include "actors/cli.hpp"
#include "actors/dead_letter_commands.hpp"
#include "actors/fatal.hpp"
#include "actors/node.hpp"
#include "actors/prompt_speech.hpp"
#include "actors/sms_service.hpp"
#include "config/load.hpp"
#include "connectors/control/carrier_tables.hpp"
#include "connectors/control/flow_file.hpp"
#include "connectors/http/client.hpp"
#include "connectors/kafka/bus.hpp"
#include "connectors/kafka/producer.hpp"
#include "control/passwords.hpp"
#include "gateway/sip_gateway.hpp"
#include "ivr/call_logic.hpp"
#include "messages/clock.hpp"
#include "messages/control.pb.h"
#include "messages/errc.hpp"
#include "messages/protobuf_log.hpp"
#include "metrics/json_log.hpp"
#include "storage/call_counts.hpp"
#include "storage/database.hpp"
#include "storage/delivery_log.hpp"
#include "storage/log_export.hpp"
#include "tools/gateway_sim/gateway_sim.hpp"
#include "tools/smsc_sim/smsc_sim.hpp"

namespace {

using namespace ivrcast;

/// The demo's portal login: an enterprise admin of every account in the flow file, with a fixed
/// password that is not temporary (demo only; a real deployment starts from the admin API).
caf::expected<void> seed_demo_user(const connectors::kafka::bus& b,
                                   const connectors::control::flow_file& flows,
                                   const config::settings& s) {
  wire::ControlRecord r;
  auto& u = *r.mutable_user();
  u.set_user_id("u-demo-admin");
  u.set_email("admin@demo.example");
  u.set_name("デモ管理者");
  u.set_active(true);
  for (const auto& a : flows.accounts) {
    u.set_enterprise_id(a.enterprise_id());
    auto* role = u.add_roles();
    role->set_account_id(a.account_id());
    role->set_role(wire::ENTERPRISE_ADMIN);
  }
  u.set_password_hash(control::hash_password(
      "Demo#Portal2026", control::hash_cost{s.security.argon2_ops, s.security.argon2_mem_kib}));
  u.set_password_set_at_ms(unix_now_ms());
  auto p = connectors::kafka::producer::open(b, "ivrcast-demo-seed", {});
  if (!p)
    return std::move(p.error());
  auto topic = (*p)->topic(b.topic(topics::control_state));
  if (!(*p)->produce_to(topic, 0, "user/" + u.user_id(), r.SerializeAsString(), 0))
    return caf::make_error(errc::kafka_failure, "seed_demo_user", "produce refused");
  spdlog::info("event=demo_portal_user email={} password=Demo#Portal2026 url=http://{}/", u.email(),
               s.http.listen);
  return (*p)->flush(std::chrono::seconds{30});
}

int fail(const std::string& what, const caf::error& err) {
  spdlog::critical("event=start_failed what=\"{}\" error=\"{}\"", what, describe(err));
  return 1;
}

/// Blocks SIGINT/SIGTERM in every thread started after this, so that main can wait for them.
sigset_t block_stop_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  return set;
}

/// Waits up to `seconds` for a stop signal; true if one came.
bool wait_for_signal(const sigset_t& set, double seconds) {
  timespec ts{
      static_cast<time_t>(seconds),
      static_cast<long>((seconds - static_cast<double>(static_cast<time_t>(seconds))) * 1e9)};
  return sigtimedwait(&set, nullptr, &ts) > 0;
}

/// Statuses of today's delivery-log rows (JST day). A scan of the whole day: for the demo's
/// summary only, never a production node's.
void print_log_summary(const storage::delivery_log& log) {
  auto now = unix_now_ms();
  auto day_start = (now + 9 * 3600 * 1000) / 86400000 * 86400000 - 9 * 3600 * 1000;
  std::map<std::string, uint64_t> by_status;
  uint64_t total = 0;
  auto n = log.scan(day_start, day_start + 86400000, "", [&](const sms::log_row& r) {
    ++by_status[std::string{sms::label(r.status)}];
    ++total;
    return true;
  });
  if (!n)
    return;
  std::printf("   delivery log [配信ログ] today: %llu rows:",
              static_cast<unsigned long long>(total));
  for (const auto& [k, v] : by_status)
    std::printf(" %s=%llu", k.c_str(), static_cast<unsigned long long>(v));
  std::printf("\n");
}

void print_sms_summary(const actors::sms_service& sms, bool with_log) {
  const auto& m = sms.metrics();
  auto u = [](const std::atomic<uint64_t>& a) { return static_cast<unsigned long long>(a.load()); };
  std::printf(
      "   sms: jobs=%llu parts_accepted=%llu throttled=%llu in_doubt=%llu adopted=%llu "
      "resubmitted=%llu finished=%llu receipts=%llu unsendable=%llu dead_letters=%llu\n",
      u(m.jobs), u(m.parts_accepted), u(m.throttled), u(m.in_doubt), u(m.adopted), u(m.resubmitted),
      u(m.finished), u(m.receipts), u(m.unresolved), u(m.dead_letters));
  if (with_log)
    print_log_summary(sms.log());
}

void print_summary(const actors::node* n, const tools::gateway_sim* sim) {
  if (sim) {
    auto r = sim->report();
    std::printf(
        "\n-- %.0f s: %llu calls placed, %llu finished, %llu unexpected; "
        "event->command p50 %.2f ms p99 %.2f ms\n",
        r.elapsed_s, static_cast<unsigned long long>(r.started),
        static_cast<unsigned long long>(r.finished), static_cast<unsigned long long>(r.unexpected),
        r.latency_p50_ms, r.latency_p99_ms);
    std::printf("   calls by scenario:");
    for (const auto& [k, v] : r.by_scenario)
      std::printf(" %s=%llu", k.c_str(), static_cast<unsigned long long>(v));
    std::printf("\n");
  }
  if (n) {
    const auto& m = n->metrics();
    std::printf("   node: calls=%llu live=%lld sms_jobs=%llu suppressed=%llu dead_letters=%llu\n",
                static_cast<unsigned long long>(m.calls_started.load()),
                static_cast<long long>(m.live_sessions.load()),
                static_cast<unsigned long long>(m.sms_jobs.load()),
                static_cast<unsigned long long>(n->sms().metrics().suppressed.load()),
                static_cast<unsigned long long>(m.dead_letters.load()));
    std::printf("   calls by outcome:");
    for (int i = 1; i < 6; ++i)
      std::printf(" %s=%llu", ivr::to_string(static_cast<ivr::call_outcome>(i)),
                  static_cast<unsigned long long>(m.outcomes[static_cast<size_t>(i)].load()));
    std::printf("\n");
    print_sms_summary(n->sms(), sim != nullptr);
    const auto& counts = n->counts();
    auto today = storage::jst_day(unix_now_ms());
    if (auto totals = counts.totals(today)) {
      std::printf("   call counts [着信件数] today (%u, JST):", today);
      for (const auto& [number, total] : *totals)
        std::printf(" +81%s=%llu", number.substr(1).c_str(),
                    static_cast<unsigned long long>(total));
      std::printf("\n");
    }
  }
  std::fflush(stdout);
}

/// Writes the CSV of [from, to) to `path`.
int export_log(const storage::delivery_log& log, int64_t from, int64_t to,
               const std::string& destination, const std::string& encoding,
               const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) {
    std::fprintf(stderr, "cannot write %s\n", path.c_str());
    return 1;
  }
  auto rows = storage::export_csv(
      log, from, to, destination,
      encoding == "sjis" ? sms::csv_encoding::shift_jis : sms::csv_encoding::utf8_bom,
      [f](std::string_view chunk) {
        return std::fwrite(chunk.data(), 1, chunk.size(), f) == chunk.size();
      });
  std::fclose(f);
  if (!rows)
    return fail("export-log", rows.error());
  std::printf("exported %llu rows to %s\n", static_cast<unsigned long long>(*rows), path.c_str());
  return 0;
}

int export_command(const config::settings& s, const actors::cli& c) {
  auto from = sms::parse_jst(c.from);
  auto to = sms::parse_jst(c.to);
  if (!from || !to || *from >= *to || c.out.empty() ||
      (!c.encoding.empty() && c.encoding != "utf8" && c.encoding != "sjis")) {
    std::fprintf(stderr,
                 "export-log needs --from and --to as Japan time YYYY-MM-DD[THH:MM[:SS]] with "
                 "from < to, --out FILE, and --encoding utf8 or sjis if given\n");
    return 2;
  }
  auto db = storage::database::open_read_only(s.node.data_dir);
  if (!db)
    return fail("database", db.error());
  storage::delivery_log log{*db, s.sms.docomo_retry_errors};
  return export_log(log, *from, *to, c.destination, c.encoding, c.out);
}

caf::expected<std::shared_ptr<connectors::kafka::bus>> open_bus(const config::settings& s) {
  auto b = connectors::kafka::bus::open(s.kafka);
  if (!b)
    return std::move(b.error());
  return std::shared_ptr<connectors::kafka::bus>{std::move(*b)};
}

}  // namespace

int main(int argc, char** argv) {
  std::setvbuf(stdout, nullptr, _IOLBF, 0);  // the summary is read live
  actors::cli c;
  if (auto rc = actors::parse_cli(argc, argv, c))
    return *rc;
  if (c.command == "config-reference") {
    std::printf("%s", config::reference().c_str());
    return 0;
  }
  auto s = config::load(
      c.config, [](const char* k) { return std::getenv(k); }, config::process_env_names);
  if (!s)
    return fail("config", s.error());
  spdlog::set_level(spdlog::level::from_str(s->node.log_level));
  messages::route_protobuf_logs();
  if (s->node.log_format == "json")
    spdlog::set_formatter(metrics::json_log_formatter());
  else
    spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%e%z level=%l logger=%n %v");
  auto signals = block_stop_signals();

  if (c.command == "publish-flows") {
    auto b = open_bus(*s);
    if (!b)
      return fail("kafka", b.error());
    auto f = actors::publish_flow_file(c.file, **b, *s);
    return f ? 0 : fail("publish-flows", f.error());
  }
  if (c.command == "publish-carriers") {
    auto b = open_bus(*s);
    if (!b)
      return fail("kafka", b.error());
    auto v = connectors::control::publish_carrier_tables(c.args[0], c.args[1], **b);
    if (!v)
      return fail("publish-carriers", v.error());
    std::printf("published carrier tables version %s\n", v->c_str());
    return 0;
  }
  if (c.command == "export-log")
    return export_command(*s, c);
  if (c.command == "admin") {
    auto r =
        connectors::http::call(c.url.empty() ? s->http.public_url : c.url, c.args[0], c.args[1],
                               s->http.admin_token, c.args.size() == 3 ? c.args[2] : "");
    if (!r)
      return fail("admin", r.error());
    // The answer's JSON alone on stdout (for jq); the status on stderr when it is an error.
    if (r->status >= 300)
      std::fprintf(stderr, "admin: HTTP %d\n", r->status);
    std::fprintf(r->status < 300 ? stdout : stderr, "%s\n", r->body.c_str());
    return r->status < 300 ? 0 : 1;
  }
  if (c.command == "deadletters list" || c.command == "deadletters replay") {
    auto b = open_bus(*s);
    if (!b)
      return fail("kafka", b.error());
    return c.command == "deadletters list"
               ? actors::list_dead_letters(**b, c.topic, c.limit)
               : actors::replay_dead_letters(**b, c.offsets, c.all, c.topic);
  }
  if (c.command == "gateway") {
    if (s->kafka.embedded())
      return fail("gateway", caf::make_error(errc::bad_config,
                                             "kafka.brokers: the gateway reaches the nodes "
                                             "through Kafka; an embedded cluster would be its "
                                             "own (the demo runs a gateway inside)"));
    auto b = open_bus(*s);
    if (!b)
      return fail("kafka", b.error());
    auto gw = gateway::sip_gateway::start(**b, s->gateway);
    if (!gw)
      return fail("gateway", gw.error());
    // A summary line every demo.summary_interval_s: what an operator (or bench/sip.sh) reads.
    auto interval = static_cast<double>(s->demo.summary_interval_s);
    double waited = 0;
    while (!wait_for_signal(signals, interval)) {
      waited += interval;
      auto st = (*gw)->stats();
      spdlog::info(
          "event=gateway_summary live={} offered={} answered={} refused={} ended={} "
          "commands={} keys={} packets={} audio_failures={} late_ticks={}",
          st.live, st.offered, st.answered, st.refused, st.ended, st.commands, st.keys, st.packets,
          st.audio_failures, st.late_ticks);
      if (c.seconds > 0 && waited >= c.seconds)
        break;
    }
    (*gw)->stop();
    return 0;
  }
  std::vector<std::unique_ptr<tools::smsc_sim>> carriers;
  if (c.command == "demo") {
    s->sms.simulate_carriers = true;
    if (s->http.listen.empty())
      s->http.listen = "127.0.0.1:8080";  // the portal and its API are part of the demo
  }
  if (s->sms.simulate_carriers && c.command != "sim") {
    auto sims = tools::simulate_carriers(s->sms);
    if (!sims)
      return fail("simulated carriers", sims.error());
    carriers = std::move(*sims);
  }

  if (s->kafka.embedded() && c.command != "sim") {
    // The embedded cluster starts empty every time: projections of an earlier run would hold
    // offsets of topics that no longer exist, so the node starts from an empty database too.
    std::error_code ec;
    std::filesystem::remove_all(s->node.data_dir, ec);
    spdlog::info("event=embedded_fresh_data_dir dir={}", s->node.data_dir);
  }
  auto b = open_bus(*s);
  if (!b)
    return fail("kafka", b.error());
  std::optional<connectors::control::flow_file> flows;
  auto flows_path = s->flows.file;
  if (flows_path.empty() && c.command != "run")
    flows_path = "config/flows.example.json";
  if (!flows_path.empty()) {
    auto f = c.command == "sim" ? connectors::control::load_flow_file(flows_path)
                                : actors::publish_flow_file(flows_path, **b, *s);
    if (!f)
      return fail("flows", f.error());
    flows = std::move(*f);
    if (c.command == "demo")
      if (auto ok = seed_demo_user(**b, *flows, *s); !ok)
        return fail("demo user", ok.error());
  }
  std::unique_ptr<actors::node> n;
  if (c.command != "sim") {
    if (auto ok = actors::render_fixed_prompts(**b, *s); !ok)
      return fail("fixed prompts", ok.error());
    auto started = actors::node::start(*s, *b);
    if (!started)
      return fail("node", started.error());
    n = std::move(*started);
    // Calls placed before the group has assigned partitions would wait for the join.
    for (int i = 0; i < 600 && n->owned_partitions() == 0; ++i)
      if (wait_for_signal(signals, 0.1))
        return 0;
  }
  std::unique_ptr<gateway::sip_gateway> sip_gw;
  if (c.command == "demo") {
    // Real phone calls too: a softphone or SIPp can call the demo's numbers.
    auto gw = gateway::sip_gateway::start(**b, s->gateway);
    if (!gw) {
      spdlog::error("event=demo_gateway_not_started error={}", caf::to_string(gw.error()));
    } else {
      sip_gw = std::move(*gw);
      std::printf(
          "SIP gateway on %s:%d (UDP/TCP). Call a demo number with a softphone:\n"
          "  baresip -f config/baresip -e \"/dial sip:05011110001@%s:%d\"\n"
          "    (a landline caller: hear the guidance, type a mobile number and #)\n"
          "  sipp -sn uac -s 05011110001 %s:%d -m 1\n",
          s->gateway.sip_host.c_str(), s->gateway.sip_port, s->gateway.sip_host.c_str(),
          s->gateway.sip_port, s->gateway.sip_host.c_str(), s->gateway.sip_port);
    }
  }
  std::unique_ptr<tools::gateway_sim> sim;
  if (c.command != "run") {
    auto mix = tools::parse_mix(c.mix.empty() ? s->demo.mix : c.mix);
    if (!mix)
      return fail("mix", mix.error());
    tools::sim_options o;
    o.calls_per_second = c.rate > 0 ? c.rate : s->demo.calls_per_second;
    o.total_calls = c.calls;
    o.backdate_ms = static_cast<int64_t>(c.backdate_s * 1000);
    o.latency_from = std::chrono::duration<double>{c.latency_from_s};
    o.mix = std::move(*mix);
    auto started = tools::gateway_sim::start(**b, o, tools::targets_from(*flows));
    if (!started)
      return fail("simulator", started.error());
    sim = std::move(*started);
    std::printf("ivrcast %s: %s Kafka at %s, %.1f calls/s; Ctrl-C to stop\n", c.command.c_str(),
                s->kafka.embedded() ? "embedded" : "external", (*b)->brokers().c_str(),
                o.calls_per_second);
  }
  // A production node (`run`) prints no summary: its logs and /metrics are what operators read.
  bool summaries = c.command != "run";
  auto interval = static_cast<double>(s->demo.summary_interval_s);
  double waited = 0;
  while (true) {
    auto step = c.seconds > 0 ? std::min(interval, c.seconds - waited) : interval;
    if (step <= 0 || wait_for_signal(signals, step))
      break;
    waited += step;
    if (summaries)
      print_summary(n.get(), sim.get());
    if (sim && c.calls > 0 && sim->all_done())
      break;
  }
  if (sim)
    sim->stop();
  if (summaries)
    print_summary(n.get(), sim.get());
  if (sim) {
    auto problems = sim->problems();
    for (size_t i = 0; i < problems.size() && i < 10; ++i)
      std::printf("   unexpected: %s\n", problems[i].c_str());
    auto r = sim->report();
    std::printf(
        "RESULT started=%llu finished=%llu unexpected=%llu completed_s=%.3f "
        "calls_per_s=%.0f p50_ms=%.2f p99_ms=%.2f max_ms=%.2f events=%llu event_bytes=%llu "
        "commands=%llu command_bytes=%llu\n",
        static_cast<unsigned long long>(r.started), static_cast<unsigned long long>(r.finished),
        static_cast<unsigned long long>(r.unexpected), r.completed_s,
        r.completed_s > 0 ? static_cast<double>(r.finished) / r.completed_s : 0.0, r.latency_p50_ms,
        r.latency_p99_ms, r.latency_max_ms, static_cast<unsigned long long>(r.events),
        static_cast<unsigned long long>(r.event_bytes), static_cast<unsigned long long>(r.commands),
        static_cast<unsigned long long>(r.command_bytes));
  }
  if (n && !c.export_file.empty()) {
    auto now = unix_now_ms();
    auto rc =
        export_log(n->sms().log(), now - 86400000, now + 60000, "", c.encoding, c.export_file);
    if (rc != 0)
      return rc;
  }
  if (sip_gw)
    sip_gw->stop();
  if (n)
    n->stop();
  return actors::stopped_fatally() ? 70 : 0;
}
