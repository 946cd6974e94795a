#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <caf/meta/type_name.hpp>

#include "messages/ids.hpp"

namespace ivrcast::messages {

enum class call_event_kind : uint8_t { started = 1, prompt_finished, digits_collected, ended };
enum class input_end : uint8_t { terminator = 1, max_digits, timeout };
enum class end_reason : uint8_t { caller_hung_up = 1, ivr_hung_up, network_error };

/// One validated telephony event; flat so that it is cheap to copy and to inspect.
/// Fields that do not belong to `kind` are empty.
struct call_event {
  call_id call;
  gateway_id gateway;
  int64_t occurred_at_ms = 0;
  uint32_t sequence = 0;
  int64_t offset = -1;  // position in its partition of the call-events topic
  call_event_kind kind = call_event_kind::started;
  std::string called;                              // started
  std::string calling;                             // started; empty = withheld
  uint32_t command_seq = 0;                        // prompt_finished, digits_collected
  std::string prompt_id;                           // prompt_finished
  std::string digits;                              // digits_collected
  input_end end = input_end::timeout;              // digits_collected
  end_reason reason = end_reason::caller_hung_up;  // ended
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, call_event& x) {
  return f(caf::meta::type_name("call_event"), x.call, x.gateway, x.occurred_at_ms, x.sequence,
           x.offset, x.kind, x.called, x.calling, x.command_seq, x.prompt_id, x.digits, x.end,
           x.reason);
}

/// Where a record sits on the call-events topic.
struct event_position {
  int32_t partition = -1;
  int64_t offset = -1;
  friend bool operator==(const event_position&, const event_position&) = default;
};

/// A record that failed to decode or validate, on its way to the dead-letter topic.
struct rejected_record {
  int64_t offset = -1;
  std::string reason;
  std::string key;
  std::string value;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, rejected_record& x) {
  return f(caf::meta::type_name("rejected_record"), x.offset, x.reason, x.key, x.value);
}

/// Consecutive records of one partition, in offset order: the valid ones decoded, the others
/// with the reason they were refused.
struct call_event_batch {
  partition_id partition;
  int64_t last_offset = -1;  // offset of the last record consumed, valid or not
  std::vector<call_event> events;
  std::vector<rejected_record> rejected;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, call_event_batch& x) {
  return f(caf::meta::type_name("call_event_batch"), x.partition, x.last_offset, x.events,
           x.rejected);
}

enum class action_kind : uint8_t { play = 1, collect, hangup };
enum class hangup_cause : uint8_t { normal = 1, rejected, gave_up, max_duration };

/// One step of a call command.
struct action {
  action_kind kind = action_kind::play;
  std::string prompt_id;                      // play
  std::string text;                           // play: TTS text, or empty when audio_url is set
  std::string audio_url;                      // play
  uint32_t max_digits = 0;                    // collect
  uint32_t timeout_ms = 0;                    // collect
  std::string terminators;                    // collect
  hangup_cause cause = hangup_cause::normal;  // hangup
};

/// What the IVR tells a gateway to do next for one call.
struct call_command {
  call_id call;
  gateway_id gateway;
  uint32_t seq = 0;
  int64_t issued_at_ms = 0;
  std::string language;
  std::vector<action> actions;
};

/// An SMS the IVR decided to send; see sms.proto for the fields.
struct sms_job {
  job_id job;
  call_id call;
  account_id account;
  std::string incoming_number;
  flow_version_id flow_version;
  std::string flow_name;
  std::string destination;
  std::string sender_id;
  std::string body;
  bool short_urls = false;
  int64_t requested_at_ms = 0;  // the call's event time, gateway clock: what the log shows
  int64_t decided_at_ms = 0;    // node clock when the session decided: what the age limit uses
  int32_t forwarded_from = 0;   // 1 + the partition it was moved from (sms::bind_plan); 0: none
};

}  // namespace ivrcast::messages
