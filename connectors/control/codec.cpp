#include "connectors/control/codec.hpp"

#include "messages/control.pb.h"
#include "messages/errc.hpp"
#include "messages/phone.hpp"

namespace ivrcast::connectors::control {
namespace {

caf::error bad(std::string what) {
  return caf::make_error(errc::bad_input, std::move(what));
}

/// Drops the numbers `id` held from the owners (those another account took since stay its).
void forget_numbers(const account_id& id, messages::flow_table& table) {
  auto old = table.accounts.find(id);
  if (old == table.accounts.end())
    return;
  for (const auto& n : old->second.numbers)
    if (auto it = table.owners.find(n); it != table.owners.end() && it->second == id)
      table.owners.erase(it);
}

caf::expected<void> apply_account(const wire::Account& pb, messages::flow_table& table) {
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
  info.numbers.assign(pb.incoming_numbers().begin(), pb.incoming_numbers().end());
  forget_numbers(info.id, table);
  for (const auto& n : info.numbers)
    table.owners[n] = info.id;
  table.accounts[info.id] = std::move(info);
  return {};
}

caf::expected<void> apply_flow(const wire::PublishedFlow& pb, messages::flow_table& table) {
  auto number = messages::normalise_number(pb.incoming_number());
  if (number.empty() || number != pb.incoming_number())
    return bad("PublishedFlow.incoming_number must be an incoming number in national form");
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
    slot->speech_url = g.speech_url();
  }
  f->sender_id = pb.sms().sender_id();
  f->sms_body = pb.sms().body();
  f->short_urls = pb.sms().short_urls();
  table.flows[number] = std::move(f);
  return {};
}

}  // namespace

caf::expected<void> apply_record(std::string_view key, const wire::ControlRecord* rec,
                                 messages::flow_table& table) {
  if (rec && rec->has_account())
    return apply_account(rec->account(), table);
  if (rec && rec->has_flow())
    return apply_flow(rec->flow(), table);
  if (!rec && key.starts_with("flow/"))
    table.flows.erase(std::string{key.substr(5)});
  if (!rec && key.starts_with("account/")) {
    account_id id{std::string{key.substr(8)}};
    forget_numbers(id, table);
    table.accounts.erase(id);
  }
  return {};
}

}  // namespace ivrcast::connectors::control
