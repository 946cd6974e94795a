#include "connectors/gateway/codec.hpp"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/wire_format_lite.h>

#include "messages/errc.hpp"
#include "messages/gateway.pb.h"
#include "messages/phone.hpp"
#include "messages/sms.pb.h"

namespace ivrcast::connectors::gateway {
namespace {

using namespace ivrcast::messages;

caf::error bad(std::string what) {
  return caf::make_error(errc::bad_input, std::move(what));
}

bool printable_id(std::string_view s) {
  if (s.empty() || s.size() > 128)
    return false;
  for (unsigned char c : s)
    if (c < 0x21 || c > 0x7e)
      return false;
  return true;
}

bool dtmf(std::string_view s) {
  for (char c : s)
    if (!((c >= '0' && c <= '9') || c == '*'))
      return false;
  return true;
}

}  // namespace

bool is_start_event(std::string_view value) {
  using google::protobuf::internal::WireFormatLite;
  google::protobuf::io::CodedInputStream in{reinterpret_cast<const uint8_t*>(value.data()),
                                            static_cast<int>(value.size())};
  int kind = 0;
  while (auto tag = in.ReadTag()) {
    auto field = WireFormatLite::GetTagFieldNumber(tag);
    if (field >= wire::CallEvent::kStartedFieldNumber &&
        field <= wire::CallEvent::kEndedFieldNumber)
      kind = field;
    if (!WireFormatLite::SkipField(&in, tag))
      return false;
  }
  return in.ConsumedEntireMessage() && kind == wire::CallEvent::kStartedFieldNumber;
}

caf::expected<call_event> decode_event(std::string_view key, std::string_view value,
                                       int64_t offset) {
  // One message per thread, reused: its strings keep their buffers from one record to the next
  // (Parse clears it first).
  thread_local wire::CallEvent pb;
  if (!pb.ParseFromArray(value.data(), static_cast<int>(value.size())))
    return bad("not a CallEvent protobuf");
  if (!printable_id(pb.call_id()))
    return bad("call_id must be 1-128 printable ASCII characters");
  if (key != pb.call_id())
    return bad("record key must equal call_id");
  if (!printable_id(pb.gateway_id()))
    return bad("gateway_id must be 1-128 printable ASCII characters");
  if (pb.occurred_at_ms() <= 0)
    return bad("occurred_at_ms must be a positive Unix time in milliseconds");
  call_event ev;
  ev.call = call_id{pb.call_id()};
  ev.gateway = gateway_id{pb.gateway_id()};
  ev.occurred_at_ms = pb.occurred_at_ms();
  ev.sequence = pb.sequence();
  ev.offset = offset;
  switch (pb.kind_case()) {
    case wire::CallEvent::kStarted: {
      ev.kind = call_event_kind::started;
      ev.called = messages::normalise_number(pb.started().called());
      if (ev.called.empty())
        return bad("started.called must be a Japanese phone number");
      if (pb.started().calling().size() > 32)
        return bad("started.calling must be at most 32 characters");
      ev.calling = pb.started().calling();
      break;
    }
    case wire::CallEvent::kPromptFinished:
      ev.kind = call_event_kind::prompt_finished;
      ev.command_seq = pb.prompt_finished().command_seq();
      ev.prompt_id = pb.prompt_finished().prompt_id();
      break;
    case wire::CallEvent::kDigitsCollected: {
      const auto& d = pb.digits_collected();
      ev.kind = call_event_kind::digits_collected;
      if (d.command_seq() == 0)
        return bad("digits_collected.command_seq must name the collecting command");
      if (d.digits().size() > 32 || !dtmf(d.digits()))
        return bad("digits_collected.digits must be at most 32 of 0-9 and *");
      switch (d.end()) {
        case wire::INPUT_END_TERMINATOR:
          ev.end = input_end::terminator;
          break;
        case wire::INPUT_END_MAX_DIGITS:
          ev.end = input_end::max_digits;
          break;
        case wire::INPUT_END_TIMEOUT:
          ev.end = input_end::timeout;
          break;
        default:
          return bad("digits_collected.end must be TERMINATOR, MAX_DIGITS or TIMEOUT");
      }
      ev.command_seq = d.command_seq();
      ev.digits = d.digits();
      break;
    }
    case wire::CallEvent::kEnded:
      ev.kind = call_event_kind::ended;
      switch (pb.ended().reason()) {
        case wire::END_REASON_IVR_HUNG_UP:
          ev.reason = end_reason::ivr_hung_up;
          break;
        case wire::END_REASON_NETWORK_ERROR:
          ev.reason = end_reason::network_error;
          break;
        default:
          ev.reason = end_reason::caller_hung_up;
      }
      break;
    default:
      return bad("CallEvent has no event (started, prompt_finished, digits_collected, ended)");
  }
  return ev;
}

void encode(const call_command& cmd, std::string& out) {
  // Reused per thread, as in decode_event: cleared actions stay allocated for the next command.
  thread_local wire::CallCommand pb;
  pb.Clear();
  pb.set_call_id(cmd.call.value);
  pb.set_gateway_id(cmd.gateway.value);
  pb.set_seq(cmd.seq);
  pb.set_issued_at_ms(cmd.issued_at_ms);
  for (const auto& a : cmd.actions) {
    auto* pa = pb.add_actions();
    switch (a.kind) {
      case action_kind::play: {
        auto* p = pa->mutable_play();
        p->set_prompt_id(a.prompt_id);
        p->set_audio_url(a.audio_url);
        p->set_text(a.text);
        p->set_language(cmd.language);
        break;
      }
      case action_kind::collect: {
        auto* c = pa->mutable_collect();
        c->set_max_digits(a.max_digits);
        c->set_timeout_ms(a.timeout_ms);
        c->set_terminators(a.terminators);
        break;
      }
      case action_kind::hangup:
        pa->mutable_hangup()->set_cause(static_cast<wire::HangupCause>(a.cause));
        break;
    }
  }
  out.clear();
  pb.SerializeToString(&out);
}

void encode(const call_event& ev, std::string& out) {
  wire::CallEvent pb;
  pb.set_call_id(ev.call.value);
  pb.set_gateway_id(ev.gateway.value);
  pb.set_occurred_at_ms(ev.occurred_at_ms);
  pb.set_sequence(ev.sequence);
  switch (ev.kind) {
    case call_event_kind::started:
      pb.mutable_started()->set_called(ev.called);
      pb.mutable_started()->set_calling(ev.calling);
      break;
    case call_event_kind::prompt_finished:
      pb.mutable_prompt_finished()->set_command_seq(ev.command_seq);
      pb.mutable_prompt_finished()->set_prompt_id(ev.prompt_id);
      break;
    case call_event_kind::digits_collected: {
      auto* d = pb.mutable_digits_collected();
      d->set_command_seq(ev.command_seq);
      d->set_digits(ev.digits);
      d->set_end(static_cast<wire::InputEnd>(ev.end));
      break;
    }
    case call_event_kind::ended:
      pb.mutable_ended()->set_reason(static_cast<wire::EndReason>(ev.reason));
      break;
  }
  out.clear();
  pb.SerializeToString(&out);
}

caf::expected<call_command> decode_command(std::string_view value) {
  wire::CallCommand pb;
  if (!pb.ParseFromArray(value.data(), static_cast<int>(value.size())))
    return bad("not a CallCommand protobuf");
  call_command cmd;
  cmd.call = call_id{pb.call_id()};
  cmd.gateway = gateway_id{pb.gateway_id()};
  cmd.seq = pb.seq();
  cmd.issued_at_ms = pb.issued_at_ms();
  for (const auto& pa : pb.actions()) {
    action a;
    if (pa.has_play()) {
      a.kind = action_kind::play;
      a.prompt_id = pa.play().prompt_id();
      a.text = pa.play().text();
      a.audio_url = pa.play().audio_url();
      cmd.language = pa.play().language();
    } else if (pa.has_collect()) {
      a.kind = action_kind::collect;
      a.max_digits = pa.collect().max_digits();
      a.timeout_ms = pa.collect().timeout_ms();
      a.terminators = pa.collect().terminators();
    } else if (pa.has_hangup()) {
      a.kind = action_kind::hangup;
      a.cause = static_cast<hangup_cause>(pa.hangup().cause());
    } else {
      return bad("CallCommand action without play, collect or hangup");
    }
    cmd.actions.push_back(std::move(a));
  }
  return cmd;
}

}  // namespace ivrcast::connectors::gateway
