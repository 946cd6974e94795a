#include "connectors/delivery/codec.hpp"

#include <optional>
#include <string>
#include <utility>

#include "messages/errc.hpp"
#include "messages/utf8.hpp"
#include "sms/delivery_status.hpp"

namespace ivrcast::connectors::delivery {
namespace {

caf::error bad(std::string what) {
  return caf::make_error(errc::bad_input, "sms.status", std::move(what));
}

/// The first of a detail's text fields that is not UTF-8, with the offending byte's index: they
/// are `bytes` on the wire (messages/sms.proto says why), so protobuf does not check them.
std::optional<std::string> non_utf8_field(const wire::LogDetail& d) {
  auto fault = [](std::string field, size_t byte) {
    return field + " (byte " + std::to_string(byte) + ")";
  };
  const std::pair<const char*, const std::string*> text[] = {
      {"job_id", &d.job_id()},
      {"account_id", &d.account_id()},
      {"destination", &d.destination()},
      {"flow_version_id", &d.flow_version_id()},
      {"flow_name", &d.flow_name()},
      {"body", &d.body()},
      {"incoming_number", &d.incoming_number()},
      {"sender_id", &d.sender_id()}};
  for (auto [name, value] : text)
    if (auto byte = first_non_utf8(*value))
      return fault(name, *byte);
  for (int i = 0; i < d.links_size(); ++i)
    for (auto [name, value] : {std::pair{"code", &d.links(i).code()}, {"url", &d.links(i).url()}})
      if (auto byte = first_non_utf8(*value))
        return fault("links[" + std::to_string(i) + "]." + name, *byte);
  return std::nullopt;
}

}  // namespace

caf::expected<wire::StatusEvent> decode_status(std::string_view value) {
  wire::StatusEvent ev;
  if (!ev.ParseFromArray(value.data(), static_cast<int>(value.size())))
    return bad("not a StatusEvent protobuf");
  if (ev.has_detail())
    if (auto field = non_utf8_field(ev.detail()))
      return bad("status event of " + ev.message_id() + ": detail." + *field + " is not UTF-8");
  switch (ev.kind()) {
    case wire::StatusEvent::RECEIPT:
      if (ev.carrier() < 1 || ev.carrier() > 4)
        return bad("receipt carrier " + std::to_string(ev.carrier()) + " is not 1..4");
      if (ev.smsc_id().empty())
        return bad("receipt without an SMSC message id");
      if (!sms::state_from_tlv(static_cast<uint8_t>(ev.receipt_state())) ||
          ev.receipt_state() > 255)
        return bad("receipt state " + std::to_string(ev.receipt_state()) + " is not 1..8");
      return ev;
    case wire::StatusEvent::OPENED:
      if (ev.message_id().empty() || ev.at_ms() <= 0)
        return bad("OPENED event without a message id or time");
      return ev;
    case wire::StatusEvent::ACCEPTED:
    case wire::StatusEvent::SUBMITTED:
    case wire::StatusEvent::FINAL:
      break;
    default:
      return bad("unknown kind " + std::to_string(static_cast<int>(ev.kind())));
  }
  if (ev.message_id().empty())
    return bad("status event without a message id");
  if (!ev.has_detail() || ev.detail().requested_at_ms() <= 0 || ev.detail().destination().empty())
    return bad("status event of " + ev.message_id() + " lacks its scheduled time or destination");
  if (ev.detail().carrier() < 0 || ev.detail().carrier() > 4)
    return bad("carrier " + std::to_string(ev.detail().carrier()) + " is not 0..4");
  if (ev.kind() == wire::StatusEvent::FINAL) {
    auto st = sms::status_from(static_cast<uint32_t>(ev.status()));
    if (!st || !sms::is_final(*st))
      return bad("FINAL event with status " + std::to_string(ev.status()) + ", not a final one");
  }
  if (ev.kind() == wire::StatusEvent::SUBMITTED && ev.smsc_ids().empty())
    return bad("SUBMITTED event of " + ev.message_id() + " without SMSC ids");
  return ev;
}

}  // namespace ivrcast::connectors::delivery
