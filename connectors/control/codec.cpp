#include "connectors/control/codec.hpp"

#include "ivr/phone.hpp"
#include "messages/control.pb.h"
#include "messages/errc.hpp"

namespace ivrcast::connectors::control {
namespace {

caf::error bad(std::string what) {
  return caf::make_error(errc::bad_input, std::move(what));
}

}  // namespace

caf::expected<void> apply_account(std::string_view key, std::string_view value,
                                  messages::flow_table& table) {
  wire::Account pb;
  if (!pb.ParseFromArray(value.data(), static_cast<int>(value.size())))
    return bad("not an Account protobuf");
  if (pb.account_id().empty() || pb.account_id() != key)
    return bad("account_id must be set and equal the record key");
  messages::account_info info;
  info.id = account_id{pb.account_id()};
  switch (pb.state()) {
    case wire::ACCOUNT_STATE_ACTIVE:
      info.state = messages::account_state::active;
      break;
    case wire::ACCOUNT_STATE_TERMINATED:
      info.state = messages::account_state::terminated;
      break;
    default:
      return bad("Account.state must be ACTIVE or TERMINATED");
  }
  table.accounts[info.id] = info;
  return {};
}

caf::expected<void> apply_flow(std::string_view key, std::string_view value,
                               messages::flow_table& table) {
  auto number = ivr::normalise_number(key);
  if (number.empty())
    return bad("control.flows key must be an incoming number");
  if (value.empty()) {
    table.flows.erase(number);
    return {};
  }
  wire::PublishedFlow pb;
  if (!pb.ParseFromArray(value.data(), static_cast<int>(value.size())))
    return bad("not a PublishedFlow protobuf");
  if (pb.incoming_number() != number)
    return bad("PublishedFlow.incoming_number must equal the record key");
  if (pb.version_id().empty() || pb.account_id().empty())
    return bad("PublishedFlow needs version_id and account_id");
  auto f = std::make_shared<messages::published_flow>();
  f->incoming_number = number;
  f->account = account_id{pb.account_id()};
  f->version = flow_version_id{pb.version_id()};
  f->name = pb.name();
  f->published_at_ms = pb.published_at_ms();
  for (const auto& g : pb.steps()) {
    messages::guidance* slot = g.step() == 1   ? &f->step1
                               : g.step() == 2 ? &f->step2
                               : g.step() == 4 ? &f->step4
                               : g.step() == 5 ? &f->step5
                                               : nullptr;
    if (!slot)
      return bad("PublishedFlow step must be 1, 2, 4 or 5");
    slot->text = g.text();
    slot->audio_url = g.audio_url();
  }
  f->sender_id = pb.sms().sender_id();
  f->sms_body = pb.sms().body();
  f->short_urls = pb.sms().short_urls();
  table.flows[number] = std::move(f);
  return {};
}

}  // namespace ivrcast::connectors::control
