#include "metrics/health.hpp"

#include <nlohmann/json.hpp>

namespace ivrcast::metrics {

std::string readiness::json() const {
  auto out = nlohmann::json{{"status", status}, {"failing", failing}};
  auto& list = out["checks"] = nlohmann::json::array();
  for (const auto& c : checks)
    list.push_back({{"name", c.name}, {"ok", c.ok}, {"detail", c.detail}});
  return out.dump();
}

readiness evaluate(const readiness_input& in) {
  readiness out;
  bool core_ok = true;
  auto add = [&](std::string name, bool ok, std::string detail, bool core) {
    if (!ok) {
      out.failing.push_back(name);
      core_ok &= !core;
    }
    out.checks.push_back({std::move(name), ok, std::move(detail)});
  };
  add("kafka", in.kafka_reachable, in.kafka_reachable ? "reachable" : in.kafka_error, true);
  add("calls_group", in.calls_joined,
      in.calls_joined ? std::to_string(in.calls_partitions) + " partitions" : "not joined", true);
  add("sms_group", in.sms_joined,
      in.sms_joined ? std::to_string(in.sms_partitions) + " partitions" : "not joined", true);
  add("control_state", in.control_caught_up, in.control_caught_up ? "caught up" : "reading", true);
  add("call_counts", in.counts_caught_up, in.counts_caught_up ? "caught up" : "reading", true);
  add("delivery_log", in.log_caught_up, in.log_caught_up ? "caught up" : "reading", true);
  bool carriers_ok = true;
  for (const auto& c : in.carriers) {
    bool ok = c.held == 0 || c.bound > 0;
    carriers_ok &= ok;
    auto detail = c.held == 0
                      ? std::string{"no bind slot held here"}
                      : std::to_string(c.bound) + " of " + std::to_string(c.held) + " binds up";
    add("carrier:" + c.carrier, ok, std::move(detail), false);
  }
  out.status = !core_ok ? "not_ready" : carriers_ok ? "ready" : "degraded";
  return out;
}

}  // namespace ivrcast::metrics
