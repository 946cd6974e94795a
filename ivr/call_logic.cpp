#include "ivr/call_logic.hpp"

#include "messages/phone.hpp"

namespace ivrcast::ivr {

using messages::action;
using messages::action_kind;
using messages::hangup_cause;

const char* to_string(call_outcome x) {
  switch (x) {
    case call_outcome::in_progress:
      return "in_progress";
    case call_outcome::sms_requested:
      return "sms_requested";
    case call_outcome::gave_up:
      return "gave_up";
    case call_outcome::rejected:
      return "rejected";
    case call_outcome::caller_hung_up:
      return "caller_hung_up";
    case call_outcome::expired:
      return "expired";
  }
  return "unknown";
}

call_logic::call_logic(const config::ivr_settings& settings,
                       std::shared_ptr<const messages::published_flow> flow, bool account_active)
    : settings_(&settings), flow_(std::move(flow)), account_active_(account_active) {}

call_decision call_logic::start(std::string_view calling) {
  if (phase_ != phase::created)
    return {};  // a repeated start changes nothing
  if (!flow_ || !account_active_) {
    outcome_ = call_outcome::rejected;
    return command({play_text("rejected", settings_->reject_text, settings_->reject_speech_url),
                    hangup(hangup_cause::rejected)},
                   true);
  }
  auto caller = messages::normalise_number(calling);
  if (messages::is_mobile(caller, settings_->mobile_prefixes))
    return send_sms_to(std::move(caller));
  phase_ = phase::collecting;
  return command({play("step1", flow_->step1), play("step2", flow_->step2), collect()}, false);
}

call_decision call_logic::digits(uint32_t command_seq, std::string_view digits,
                                 messages::input_end end) {
  // Only the answer to the latest collect counts: a redelivered or late answer is ignored.
  if (phase_ != phase::collecting || command_seq != commands_)
    return {};
  // However input ended (#, 11 digits, or a gateway's timeout after the 11th key), what counts
  // is whether the keys form a mobile number.
  (void)end;
  if (messages::is_mobile(digits, settings_->mobile_prefixes))
    return send_sms_to(std::string{digits});
  if (++failures_ >= settings_->max_attempts) {
    outcome_ = call_outcome::gave_up;
    return command({play_text("step6", settings_->step6_text, settings_->step6_speech_url),
                    hangup(hangup_cause::gave_up)},
                   true);
  }
  return command({play("step5", flow_->step5), collect()}, false);
}

call_decision call_logic::ended() {
  if (phase_ == phase::done)
    return {};
  phase_ = phase::done;
  outcome_ = call_outcome::caller_hung_up;
  return call_decision{{}, {}, true};
}

call_decision call_logic::expire() {
  if (phase_ == phase::done)
    return {};
  outcome_ = call_outcome::expired;
  return command({hangup(hangup_cause::max_duration)}, true);
}

call_decision call_logic::send_sms_to(std::string destination) {
  outcome_ = call_outcome::sms_requested;
  auto d = command({play("step4", flow_->step4), hangup(hangup_cause::normal)}, true);
  d.sms_to = std::move(destination);
  return d;
}

call_decision call_logic::command(std::vector<action> actions, bool last) {
  ++commands_;
  if (last)
    phase_ = phase::done;
  return call_decision{std::move(actions), {}, last};
}

action call_logic::play(const char* prompt_id, const messages::guidance& g) const {
  action a;
  a.kind = action_kind::play;
  a.prompt_id = prompt_id;
  a.text = g.text;
  a.audio_url = g.audio_url.empty() ? g.speech_url : g.audio_url;
  return a;
}

action call_logic::play_text(const char* prompt_id, const std::string& text,
                             const std::string& speech_url) const {
  return play(prompt_id, messages::guidance{text, {}, speech_url});
}

action call_logic::collect() const {
  action a;
  a.kind = action_kind::collect;
  a.max_digits = static_cast<uint32_t>(settings_->max_digits);
  a.timeout_ms = static_cast<uint32_t>(settings_->digit_timeout_ms);
  a.terminators = settings_->terminators;
  return a;
}

action call_logic::hangup(hangup_cause cause) {
  action a;
  a.kind = action_kind::hangup;
  a.cause = cause;
  return a;
}

}  // namespace ivrcast::ivr
