#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <string>

#include "actors/handles.hpp"
#include "config/settings.hpp"
#include "messages/flows.hpp"
#include "messages/outbox.hpp"
#include "metrics/latency_histogram.hpp"

namespace ivrcast::connectors::gateway {
class dead_letters;
}
namespace ivrcast::storage {
class call_counts;
}

namespace ivrcast::actors {

/// Counters of a node, read by the demo summary, tests and benchmarks. Relaxed atomics.
struct node_metrics {
  std::atomic<uint64_t> events{0};
  std::atomic<uint64_t> calls_started{0};
  std::atomic<uint64_t> repeated_starts{0};  // a gateway's repeats of a call's `started`
  std::atomic<uint64_t> commands{0};
  std::atomic<uint64_t> sms_jobs{0};
  std::atomic<uint64_t> dead_letters{0};
  std::atomic<int64_t> live_sessions{0};
  std::array<std::atomic<uint64_t>, 6> outcomes{};  // by ivr::call_outcome
  metrics::latency_histogram event_to_command;      // the gateway's event to our command
};

/// What every session of a node shares; lives as long as the node, so sessions keep a pointer
/// (one pointer per session keeps 100k sessions small).
struct session_context {
  const config::ivr_settings* ivr = nullptr;
  messages::outbox* outbox = nullptr;
  node_metrics* metrics = nullptr;
};

/// What every call router of a node shares.
struct router_context {
  session_context session;
  const messages::flow_source* flows = nullptr;
  connectors::gateway::dead_letters* dead_letters = nullptr;
  const storage::call_counts* counts = nullptr;  // first starts of calls, for repeats
  std::string events_topic;
  int64_t max_call_ms = 0;
};

}  // namespace ivrcast::actors
