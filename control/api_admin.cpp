// The operator's back office (product.md §1): enterprises, accounts with numbers, sender IDs,
// allowlists and contacts, termination, first enterprise admin, re-registering deleted users.

#include "control/api_internal.hpp"
#include "control/cidr.hpp"
#include "messages/phone.hpp"
#include "messages/text.hpp"
#include "storage/control_state.hpp"

namespace ivrcast::control {
namespace {

bool good_id(std::string_view id) {
  return !id.empty() && id.size() <= 64 && std::all_of(id.begin(), id.end(), [](char ch) {
    return std::isalnum(static_cast<unsigned char>(ch)) || ch == '-' || ch == '_';
  });
}

json account_json(const wire::Account& a) {
  json contacts = json::array();
  for (const auto& ct : a.contacts())
    contacts.push_back({{"name", ct.name()}, {"email", ct.email()}, {"purpose", ct.purpose()}});
  return {{"account_id", a.account_id()},
          {"enterprise_id", a.enterprise_id()},
          {"name", a.name()},
          {"state", a.state() == wire::ACCOUNT_STATE_TERMINATED ? "terminated" : "active"},
          {"incoming_numbers", a.incoming_numbers()},
          {"sender_ids", a.sender_ids()},
          {"ip_allowlist", a.ip_allowlist()},
          {"contacts", contacts},
          {"softbank_sender_option", a.softbank_sender_option()}};
}

http::response list_enterprises(api_context& c, call&) {
  json out = json::array();
  auto ok = c.deps.state->scan("enterprise/", [&](std::string_view, const wire::ControlRecord& r) {
    out.push_back(
        {{"enterprise_id", r.enterprise().enterprise_id()}, {"name", r.enterprise().name()}});
    return true;
  });
  if (!ok)
    return internal(ok.error());
  return json_response(200, {{"enterprises", out}});
}

http::response post_enterprise(api_context& c, call& k) {
  const auto& body = k.body;
  problems p;
  auto id = string_field(body, "enterprise_id", p, true);
  auto name = string_field(body, "name", p, true);
  if (id && !good_id(*id))
    p.add("enterprise_id", "bad_id", "1 to 64 letters, digits, - or _");
  if (name && trim(*name).empty())
    p.add("name", "required", "must not be empty");
  if (!p.empty())
    return p.response();
  auto existing = load(c, "enterprise/" + *id);
  if (!existing)
    return internal(existing.error());
  if (*existing)
    return http::error(409, "enterprise_exists", "enterprise " + *id + " exists already");
  wire::ControlRecord rec;
  rec.mutable_enterprise()->set_enterprise_id(*id);
  rec.mutable_enterprise()->set_name(std::string{trim(*name)});
  rec.mutable_enterprise()->set_created_at_ms(c.now());
  if (auto ok = c.out->put(rec); !ok)
    return internal(ok.error());
  audit(c, k, "enterprise_created", *id);
  return json_response(201, {{"enterprise_id", *id}, {"name", rec.enterprise().name()}});
}

http::response list_accounts(api_context& c, call&) {
  json out = json::array();
  auto ok = c.deps.state->scan("account/", [&](std::string_view, const wire::ControlRecord& r) {
    out.push_back(account_json(r.account()));
    return true;
  });
  if (!ok)
    return internal(ok.error());
  return json_response(200, {{"accounts", out}});
}

http::response put_account(api_context& c, call& k) {
  auto id = k.req.param("account_id");
  const auto& body = k.body;
  problems p;
  if (!good_id(id))
    p.add("account_id", "bad_id", "1 to 64 letters, digits, - or _");
  auto enterprise = string_field(body, "enterprise_id", p, true);
  auto name = string_field(body, "name", p, true);
  if (enterprise) {
    auto e = load(c, "enterprise/" + *enterprise);
    if (!e || !*e)
      p.add("enterprise_id", "unknown_enterprise", "no enterprise " + *enterprise);
  }
  auto existing = load(c, "account/" + id);
  if (!existing)
    return internal(existing.error());
  if (*existing && enterprise && (*existing)->account().enterprise_id() != *enterprise)
    p.add("enterprise_id", "enterprise_changed", "an account cannot move to another enterprise");
  wire::ControlRecord rec;
  auto& a = *rec.mutable_account();
  a.set_account_id(id);
  a.set_state(*existing ? (*existing)->account().state() : wire::ACCOUNT_STATE_ACTIVE);
  if (enterprise)
    a.set_enterprise_id(*enterprise);
  if (name)
    a.set_name(*name);
  auto numbers = strings_field(body, "incoming_numbers", p);
  for (size_t i = 0; i < numbers.size(); ++i) {
    auto n = messages::normalise_number(numbers[i]);
    if (n.size() < 10 || n.size() > 11 || n[0] != '0')
      p.add("incoming_numbers[" + std::to_string(i) + "]", "bad_phone_number",
            "'" + numbers[i] + "' is not a phone number");
    else
      a.add_incoming_numbers(n);
  }
  // A number belongs to one account only.
  auto scanned =
      c.deps.state->scan("account/", [&](std::string_view, const wire::ControlRecord& r) {
        if (r.account().account_id() == id)
          return true;
        for (const auto& n : a.incoming_numbers())
          for (const auto& other : r.account().incoming_numbers())
            if (n == other)
              p.add("incoming_numbers", "number_taken",
                    n + " belongs to account " + r.account().account_id());
        return true;
      });
  if (!scanned)
    return internal(scanned.error());
  auto senders = strings_field(body, "sender_ids", p);
  for (size_t i = 0; i < senders.size(); ++i) {
    if (!all_digits(senders[i]) || senders[i].size() < 10 || senders[i].size() > 11)
      p.add("sender_ids[" + std::to_string(i) + "]", "bad_sender_id",
            "'" + senders[i] + "' is not a 10-11 digit number");
    else
      a.add_sender_ids(senders[i]);
  }
  auto allow = strings_field(body, "ip_allowlist", p);
  for (size_t i = 0; i < allow.size(); ++i) {
    if (!parse_cidr(allow[i]))
      p.add("ip_allowlist[" + std::to_string(i) + "]", "bad_cidr",
            "'" + allow[i] + "' is not an address or CIDR");
    else
      a.add_ip_allowlist(allow[i]);
  }
  if (auto it = body.find("contacts"); it != body.end()) {
    if (!it->is_array()) {
      p.add("contacts", "not_an_array", "must be an array of {name, email, purpose}");
    } else {
      for (size_t i = 0; i < it->size(); ++i) {
        const auto& ct = (*it)[i];
        problems local;
        auto cn = ct.is_object() ? string_field(ct, "name", local, true) : std::nullopt;
        auto ce = ct.is_object() ? string_field(ct, "email", local, true) : std::nullopt;
        auto cp = ct.is_object() ? string_field(ct, "purpose", local, false) : std::nullopt;
        auto purpose = cp.value_or("all");
        if (!cn || !ce || ce->find('@') == std::string::npos ||
            (purpose != "all" && purpose != "fault" && purpose != "maintenance")) {
          p.add("contacts[" + std::to_string(i) + "]", "bad_contact",
                "needs name, email and purpose (all, fault or maintenance)");
          continue;
        }
        auto* added = a.add_contacts();
        added->set_name(*cn);
        added->set_email(*ce);
        added->set_purpose(purpose);
      }
    }
  }
  if (auto it = body.find("softbank_sender_option"); it != body.end()) {
    if (it->is_boolean())
      a.set_softbank_sender_option(it->get<bool>());
    else
      p.add("softbank_sender_option", "not_a_boolean", "must be true or false");
  }
  if (!p.empty())
    return p.response();
  if (auto ok = c.out->put(rec); !ok)
    return internal(ok.error());
  audit(c, k, *existing ? "account_updated" : "account_created", id);
  return json_response(*existing ? 200 : 201, account_json(a));
}

http::response terminate_account(api_context& c, call& k) {
  auto id = k.req.param("account_id");
  auto r = load(c, "account/" + id);
  if (!r)
    return internal(r.error());
  if (!*r)
    return http::error(404, "unknown_account", "no account " + id);
  (*r)->mutable_account()->set_state(wire::ACCOUNT_STATE_TERMINATED);
  if (auto ok = c.out->put(**r); !ok)
    return internal(ok.error());
  audit(c, k, "account_terminated", id);
  return json_response(200, account_json((*r)->account()));
}

http::response post_admin_user(api_context& c, call& k) {
  const auto& body = k.body;
  problems p;
  auto enterprise = string_field(body, "enterprise_id", p, true);
  if (!p.empty())
    return p.response();
  auto e = load(c, "enterprise/" + *enterprise);
  if (!e)
    return internal(e.error());
  if (!*e) {
    p.add("enterprise_id", "unknown_enterprise", "no enterprise " + *enterprise);
    return p.response();
  }
  return create_user(c, k, body, *enterprise);
}

http::response restore_user(api_context& c, call& k) {
  auto id = k.req.param("user_id");
  auto r = load(c, "user/" + id);
  if (!r)
    return internal(r.error());
  if (!*r || !(*r)->user().deleted())
    return http::error(404, "unknown_user", "no deleted user " + id);
  std::string pw;
  bool hashed = true;
  auto written = update_user(
      c, id,
      [&](wire::User& cur) {
        if (!cur.deleted())
          return false;  // restored meanwhile
        auto temporary = set_temporary_password(cur, c.cost, c.now());
        if (!temporary) {
          hashed = false;
          return false;
        }
        pw = std::move(*temporary);
        cur.set_deleted(false);
        cur.set_active(true);
        cur.set_session_epoch(cur.session_epoch() + 1);
        return true;
      },
      true);
  if (!written)
    return internal(written.error());
  if (!hashed)
    return internal(caf::make_error(errc::io_failure, "password.hash", "hashing failed"));
  if (!*written)
    return http::error(404, "unknown_user", "no deleted user " + id);
  const auto& u = **written;
  auto mailed = send_temporary_password(c, u, pw);
  audit(c, k, "user_restored", id);
  auto out = user_json(u);
  report_mail(out, mailed);
  if (mailed != mail_outcome::sent)
    out["temporary_password"] = pw;  // the operator's call: the only way to it without mail
  return json_response(200, out);
}

}  // namespace

void add_admin_routes(std::vector<api_route>& out) {
  using a = access;
  out.push_back({{"GET", "/v1/admin/enterprises", a::operator_only}, list_enterprises});
  out.push_back({{"POST",
                  "/v1/admin/enterprises",
                  a::operator_only,
                  body_kind::json,
                  {"enterprise_id", "name"}},
                 post_enterprise});
  out.push_back({{"GET", "/v1/admin/accounts", a::operator_only}, list_accounts});
  out.push_back(
      {{"PUT",
        "/v1/admin/accounts/{account_id}",
        a::operator_only,
        body_kind::json,
        {"enterprise_id", "name", "incoming_numbers", "sender_ids", "ip_allowlist",
         "contacts[].name", "contacts[].email", "contacts[].purpose", "softbank_sender_option"}},
       put_account});
  out.push_back(
      {{"POST", "/v1/admin/accounts/{account_id}/terminate", a::operator_only}, terminate_account});
  auto admin_user = user_fields("email");
  admin_user.emplace_back("enterprise_id");
  out.push_back({{"POST", "/v1/admin/users", a::operator_only, body_kind::json, admin_user},
                 post_admin_user});
  out.push_back({{"POST", "/v1/admin/users/{user_id}/restore", a::operator_only}, restore_user});
}

}  // namespace ivrcast::control
