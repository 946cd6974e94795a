#pragma once

#include <array>
#include <string>
#include <string_view>

namespace ivrcast::topics {

/// Every topic ivrcast uses, with how its records are keyed. Names get the configured prefix.
struct topic_spec {
  std::string_view suffix;
  std::string_view key;  // what the record key is; partitioning follows it
  bool compacted;
  bool single_partition = false;  // total order across keys (control state)
  // Kept as long as what it rebuilds (kafka_settings::retention_ms): the call counts, the
  // delivery log, the audit trail, dead letters to replay.
  bool long_retention = false;
};

inline constexpr topic_spec call_events{"calls.events", "call id", false, false, true};
inline constexpr topic_spec call_commands{"calls.commands", "gateway id", false};
inline constexpr topic_spec sms_jobs{"sms.jobs", "destination number", false};
inline constexpr topic_spec sms_status{"sms.status", "message id (receipts: carrier/smsc id)",
                                       false, false, true};
inline constexpr topic_spec sms_sends{"sms.sends", "message id, in the job's partition", true};
inline constexpr topic_spec control_state{"control.state", "<kind>/<id>", true, true};
inline constexpr topic_spec control_audit{"control.audit", "user id or email", false, true, true};
inline constexpr topic_spec dead_letters{"deadletters", "source topic", false, false, true};

inline constexpr std::array<topic_spec, 8> all{call_events,   call_commands, sms_jobs,
                                               sms_sends,     sms_status,    control_state,
                                               control_audit, dead_letters};

/// Full topic name: `prefix` + suffix (e.g. "ivrcast." + "calls.events").
inline std::string name(std::string_view prefix, const topic_spec& t) {
  std::string out{prefix};
  out += t.suffix;
  return out;
}

}  // namespace ivrcast::topics
