#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace ivrcast::metrics {

/// One carrier's binds on this node: the bind slots it holds (sms::bind_plan) and how many of
/// them are bound now.
struct carrier_binds {
  std::string carrier;
  int held = 0;
  int bound = 0;
};

/// What a node knows about itself when asked whether it is ready.
struct readiness_input {
  bool kafka_reachable = false;
  std::string kafka_error;  // why not, when not
  bool calls_joined = false;
  size_t calls_partitions = 0;
  bool sms_joined = false;
  size_t sms_partitions = 0;
  bool control_caught_up = false;
  bool counts_caught_up = false;
  bool log_caught_up = false;
  std::vector<carrier_binds> carriers;  // every configured carrier
};

/// One named check of a readiness report.
struct check {
  std::string name;
  bool ok = false;
  std::string detail;
};

/// `/readyz`'s answer. "ready"; "degraded" when only carriers are down (their SMSCs refuse or
/// are gone: calls still run, SMS waits); "not_ready" when Kafka, the groups or the
/// projections are not there yet. Anything but ready answers 503.
struct readiness {
  std::string status;
  std::vector<check> checks;
  std::vector<std::string> failing;  // names of the failed checks
  bool ready() const { return status == "ready"; }
  /// The JSON body.
  std::string json() const;
};

/// Decides readiness. A carrier is down when this node holds bind slots for it and none is
/// bound; a node that holds none of its slots (another node has them) does not judge it.
readiness evaluate(const readiness_input& in);

}  // namespace ivrcast::metrics
