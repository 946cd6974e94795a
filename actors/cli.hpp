#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace ivrcast::actors {

/// The command line of `ivrcast`, checked: every number in range, every option known.
struct cli {
  std::string command;  // run, gateway, demo, sim, publish-flows, ... ("deadletters list")
  std::string config;
  std::string file;
  double seconds = 0;  // 0: until SIGINT/SIGTERM
  double rate = 0;
  uint64_t calls = 0;
  double latency_from_s = 0;  // sim: latencies of commands read before this are not counted
  double backdate_s = 0;
  std::string mix;
  std::string from;
  std::string to;
  std::string destination;
  std::string encoding;
  std::string out;
  std::string export_file;
  std::string url;
  std::vector<std::string> args;  // admin: METHOD PATH [JSON]; publish-carriers: RANGES PORTED
  // deadletters
  std::string topic;                 // only this source topic (its name without the prefix)
  std::vector<std::string> offsets;  // replay: dead-letter positions "<partition>:<offset>"
  bool all = false;                  // replay every listed one
  size_t limit = 0;                  // list: at most this many (0: all)
};

/// Parses argv (CLI11). On --help, --version or a bad command line it prints what to (the
/// error naming the option) and returns the exit code; otherwise nullopt and fills `out`.
std::optional<int> parse_cli(int argc, char** argv, cli& out);

}  // namespace ivrcast::actors
