#include "actors/cli.hpp"

#include <CLI/CLI.hpp>

namespace ivrcast::actors {

std::optional<int> parse_cli(int argc, char** argv, cli& out) {
  CLI::App app{"ivrcast: an IVR that texts callers the business's SMS through the right carrier",
               "ivrcast"};
  app.set_version_flag("--version", std::string{"ivrcast " IVRCAST_VERSION});
  app.require_subcommand(1);
  app.add_option("--config", out.config, "configuration file (keys: ivrcast config-reference)")
      ->check(CLI::ExistingFile);
  app.fallthrough();  // --config may come after the command too

  auto seconds = [&](CLI::App* c, const char* what) {
    c->add_option("--seconds", out.seconds, what)->check(CLI::Range(0.0, 1e9));
  };
  auto* run = app.add_subcommand("run", "a node (call path, SMS, portal API) until Ctrl-C");
  seconds(run, "stop after this many seconds (0: run until Ctrl-C)");
  auto* gateway = app.add_subcommand("gateway", "the SIP gateway (gateway.*) until Ctrl-C");
  seconds(gateway, "stop after this many seconds");
  auto* demo = app.add_subcommand(
      "demo", "embedded Kafka, example flows, a node, simulated carriers and callers, the portal");
  auto* sim = app.add_subcommand("sim", "simulated callers against kafka.brokers");
  for (auto* c : {demo, sim}) {
    seconds(c, "stop after this many seconds");
    c->add_option("--rate", out.rate, "calls per second (default demo.calls_per_second)")
        ->check(CLI::Range(0.001, 1e7));
    c->add_option("--calls", out.calls, "stop after this many calls (0: no limit)")
        ->check(CLI::Range(uint64_t{0}, uint64_t{1'000'000'000'000}));
    c->add_option("--mix", out.mix, "scenario mix, e.g. mobile=40,landline_ok=40,...");
    c->add_option("--backdate-s", out.backdate_s, "date the calls this many seconds ago")
        ->check(CLI::Range(0.0, 1e9));
  }
  sim->add_option("--latency-from-s", out.latency_from_s,
                  "count event -> command latencies from this many seconds after the first call "
                  "(the simulator's own start-up before)")
      ->check(CLI::Range(0.0, 1e9));
  demo->add_option("--export", out.export_file, "write today's delivery-log CSV here at the end");
  auto* flows = app.add_subcommand("publish-flows", "publish accounts and flows from a JSON file");
  flows->add_option("file", out.file, "the flow file")->required()->check(CLI::ExistingFile);
  auto* carriers =
      app.add_subcommand("publish-carriers",
                         "check and publish the carrier tables: every node routes by them at once");
  carriers->add_option("tables", out.args, "RANGES PORTED (CSV files)")
      ->required()
      ->expected(2)
      ->check(CLI::ExistingFile);
  auto* exp = app.add_subcommand("export-log", "delivery-log CSV from node.data_dir");
  exp->add_option("--from", out.from, "Japan time YYYY-MM-DD[THH:MM[:SS]]")->required();
  exp->add_option("--to", out.to, "Japan time, exclusive")->required();
  exp->add_option("--destination", out.destination, "one destination number");
  exp->add_option("--encoding", out.encoding, "utf8 or sjis")
      ->check(CLI::IsMember({"utf8", "sjis"}));
  exp->add_option("--out", out.out, "the CSV file to write")->required();
  auto* admin = app.add_subcommand(
      "admin",
      "call the operator's admin API (http.admin_token) and print its JSON answer, e.g.\n"
      "  ivrcast admin POST /v1/admin/notices '{\"kind\":\"fault\",...}' | jq .");
  admin->add_option("request", out.args, "METHOD PATH [JSON]")->required()->expected(2, 3);
  admin->add_option("--url", out.url, "the API's base URL (default http.public_url)");
  app.add_subcommand("config-reference", "print every configuration key as Markdown");
  auto* dl = app.add_subcommand("deadletters", "records refused to the dead-letter topic");
  dl->require_subcommand(1);
  auto* list = dl->add_subcommand("list", "print each dead letter as one JSON line");
  list->add_option("--topic", out.topic, "only those read from this topic (e.g. sms.jobs)");
  list->add_option("--limit", out.limit, "at most this many, newest last")
      ->check(CLI::Range(size_t{1}, size_t{10'000'000}));
  auto* replay = dl->add_subcommand(
      "replay", "put dead letters back on the topic they came from (after a fix)");
  replay->add_option("--offset", out.offsets, "a dead letter's <partition>:<offset> (repeatable)");
  replay->add_flag("--all", out.all, "every dead letter (of --topic, if given)");
  replay->add_option("--topic", out.topic, "only those read from this topic");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  for (auto* c : app.get_subcommands()) {
    out.command = c->get_name();
    for (auto* sub : c->get_subcommands())
      out.command += " " + sub->get_name();
  }
  if (out.command == "deadletters replay" && out.offsets.empty() && !out.all) {
    std::fprintf(stderr, "deadletters replay: give --offset P:O (repeatable) or --all\n");
    return 2;
  }
  for (const auto& o : out.offsets)
    if (auto colon = o.find(':'); colon == std::string::npos || colon == 0 ||
                                  colon + 1 == o.size() ||
                                  o.find_first_not_of("0123456789:") != std::string::npos) {
      std::fprintf(stderr, "--offset: '%s' is not <partition>:<offset>\n", o.c_str());
      return 2;
    }
  return std::nullopt;
}

}  // namespace ivrcast::actors
