#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/settings.hpp"
#include "messages/calls.hpp"
#include "messages/flows.hpp"

namespace ivrcast::ivr {

/// How a call went, as far as the IVR knows.
enum class call_outcome : uint8_t {
  in_progress,
  sms_requested,   // mobile caller or valid entry: SMS job, step 4, hang-up
  gave_up,         // max failed entries: step 6, hang-up
  rejected,        // no published flow or terminated account
  caller_hung_up,  // the caller left before the IVR finished
  expired,         // hung up at the maximum call duration
};

const char* to_string(call_outcome x);

/// What to do after one event: a command's actions (none: say nothing) and maybe an SMS.
struct call_decision {
  std::vector<messages::action> actions;
  std::optional<std::string> sms_to;  // national-form destination
  bool finished = false;              // the session can be freed
};

/// product.md §2.2 for one call, as a pure state machine: events in, decisions out, no clock,
/// no I/O. A replay of the same events gives the same decisions, which makes a call recoverable
/// by whichever node takes its partition over. Owned by one session actor.
class call_logic {
 public:
  /// `flow` is the published version the call runs for its whole life; null when the called
  /// number has none. `settings` must outlive the object.
  call_logic(const config::ivr_settings& settings,
             std::shared_ptr<const messages::published_flow> flow, bool account_active);

  /// The call arrived from `calling` (raw, may be withheld).
  call_decision start(std::string_view calling);

  /// The gateway finished collecting for the command `command_seq`; stale answers are ignored.
  call_decision digits(uint32_t command_seq, std::string_view digits, messages::input_end end);

  /// The caller hung up (or the gateway ended the call).
  call_decision ended();

  /// The call reached the maximum duration.
  call_decision expire();

  /// Sequence number of the last command decided (1, 2, ...); 0 before the first.
  uint32_t commands_issued() const { return commands_; }

  call_outcome outcome() const { return outcome_; }
  int failed_entries() const { return failures_; }
  const std::shared_ptr<const messages::published_flow>& flow() const { return flow_; }

 private:
  enum class phase : uint8_t { created, collecting, done };

  call_decision command(std::vector<messages::action> actions, bool last);
  messages::action play(const char* prompt_id, const messages::guidance& g) const;
  messages::action play_text(const char* prompt_id, const std::string& text,
                             const std::string& speech_url) const;
  messages::action collect() const;
  static messages::action hangup(messages::hangup_cause cause);
  call_decision send_sms_to(std::string destination);

  const config::ivr_settings* settings_;
  std::shared_ptr<const messages::published_flow> flow_;
  bool account_active_;
  phase phase_ = phase::created;
  call_outcome outcome_ = call_outcome::in_progress;
  int failures_ = 0;
  uint32_t commands_ = 0;
};

}  // namespace ivrcast::ivr
