#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <caf/expected.hpp>

namespace ivrcast::connectors::kafka {
class bus;
}
namespace ivrcast::connectors::control {
struct flow_file;
}

namespace ivrcast::tools {

/// What a simulated caller does (see README.md in this folder).
enum class scenario : uint8_t {
  mobile,              // calls from a mobile: SMS to the caller, no input
  landline_valid,      // keys a valid mobile number at once
  landline_retry,      // one invalid entry, then a valid one
  landline_give_up,    // three invalid entries: step 6, no SMS
  silence,             // never keys anything: three timeouts, step 6
  hash_early,          // presses # early twice, then a valid number
  hangup,              // hangs up while asked for the number
  withheld,            // number withheld, keys a valid number
  unknown_number,      // calls a number without a published flow: rejected
  terminated_account,  // calls a number of a terminated account: rejected
  hold,                // listens and never keys anything nor hangs up (benchmarks: live calls)
};

const char* to_string(scenario s);

/// "mobile=30,landline_valid=20,..." → weights; fails naming the bad entry.
[[nodiscard]] caf::expected<std::vector<std::pair<scenario, int>>> parse_mix(std::string_view mix);

/// Numbers to call, taken from the published flows.
struct sim_targets {
  std::vector<std::pair<std::string, std::string>> active;  // incoming number, flow version
  std::string terminated;                                   // empty: scenario not possible
  std::string unknown = "05000000000";
};

/// Targets from a flow file: flows of active accounts, one number of a terminated account.
sim_targets targets_from(const connectors::control::flow_file& f);

struct sim_options {
  double calls_per_second = 100;
  uint64_t total_calls = 0;  // 0: until stopped
  std::vector<std::pair<scenario, int>> mix;
  std::string gateway_id = "sim-gw";
  int gateways = 4;  // commands are spread over this many gateway ids
  /// Calls are dated this long before now (call counts end yesterday: a test of them needs
  /// calls of an earlier day).
  int64_t backdate_ms = 0;
  /// Latencies of commands read this long after the first call on: the simulator's own start-up
  /// (its producer's and reader's first requests) is not the IVR's.
  std::chrono::duration<double> latency_from{0};
};

/// An SMS the IVR should have requested, by what the simulated callers did.
struct expected_sms {
  std::string call_id;
  std::string destination;
  std::string flow_version;
};

/// What happened so far.
struct sim_report {
  uint64_t started = 0;
  uint64_t finished = 0;
  uint64_t unexpected = 0;  // calls whose IVR behaviour differed from the scenario's
  std::map<std::string, uint64_t> outcomes;     // by what the IVR did
  std::map<std::string, uint64_t> by_scenario;  // calls started per scenario
  std::map<std::string, uint64_t> by_number;    // calls started per incoming number
  double elapsed_s = 0;
  double completed_s = 0;  // seconds from the first call to the last one finishing (0: not yet)
  uint64_t latency_samples = 0;
  double latency_p50_ms = 0;  // from our event to the IVR's command, as seen by the gateway
  double latency_p99_ms = 0;
  double latency_max_ms = 0;
  // What went over Kafka (the raw baseline replays the same): events sent, commands read.
  uint64_t events = 0;
  uint64_t event_bytes = 0;
  uint64_t commands = 0;
  uint64_t command_bytes = 0;
};

/// A telephony gateway simulator on the Kafka topics: places calls at a rate with a scenario
/// mix, answers the IVR's commands like callers would, checks every call against its scenario
/// and measures the event → command latency. Commands are deduplicated by (call, seq), as the
/// gateway protocol requires.
class gateway_sim {
 public:
  [[nodiscard]] static caf::expected<std::unique_ptr<gateway_sim>> start(
      const connectors::kafka::bus& b, sim_options opts, sim_targets targets);
  ~gateway_sim();

  /// Stops placing calls and answering commands.
  void stop();
  sim_report report() const;
  /// Every call placed so far finished (and, with total_calls, all were placed).
  bool all_done() const;
  /// The SMS jobs the IVR should have produced for finished calls.
  std::vector<expected_sms> expected_jobs() const;
  /// Call ids whose IVR behaviour differed from the scenario, with what was seen.
  std::vector<std::string> problems() const;

  struct impl;

 private:
  explicit gateway_sim(std::unique_ptr<impl> p);
  std::unique_ptr<impl> impl_;
};

}  // namespace ivrcast::tools
