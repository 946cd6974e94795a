// Portal users of an enterprise: list, create (temporary password by mail), edit roles and
// status, delete, password reset (product.md §6).

#include "control/api_internal.hpp"
#include "control/role_grants.hpp"
#include "messages/text.hpp"
#include "storage/control_state.hpp"

namespace ivrcast::control {
namespace {

bool plausible_email(std::string_view e) {
  auto at = e.find('@');
  return e.size() <= 254 && at != std::string_view::npos && at > 0 && at + 1 < e.size() &&
         e.find('@', at + 1) == std::string_view::npos &&
         e.find_first_of(" \t\r\n<>,;\"") == std::string_view::npos &&
         e.find('.', at) != std::string_view::npos;
}

/// Reads name, active and roles into `u`; roles must name accounts of `enterprise`.
void read_user(const api_context& c, const json& body, const std::string& enterprise, wire::User& u,
               problems& p, bool creating) {
  if (auto name = string_field(body, "name", p, creating)) {
    auto n = std::string{trim(*name)};
    if (n.empty() || n.size() > 300)
      p.add("name", "bad_name", "must be 1 to 100 characters");
    else
      u.set_name(n);
  }
  if (auto it = body.find("active"); it != body.end()) {
    if (it->is_boolean())
      u.set_active(it->get<bool>());
    else
      p.add("active", "not_a_boolean", "must be true or false");
  } else if (creating) {
    u.set_active(true);
  }
  auto it = body.find("roles");
  if (it == body.end()) {
    if (creating)
      p.add("roles", "required", "give at least one account role");
    return;
  }
  if (!it->is_array() || it->empty()) {
    p.add("roles", "bad_roles", "must be a non-empty array of {account_id, role}");
    return;
  }
  u.clear_roles();
  for (size_t i = 0; i < it->size(); ++i) {
    const auto& r = (*it)[i];
    auto field = "roles[" + std::to_string(i) + "]";
    problems local;
    auto account = r.is_object() ? string_field(r, "account_id", local, true) : std::nullopt;
    auto role = r.is_object() ? string_field(r, "role", local, true) : std::nullopt;
    auto parsed = role ? role_from(*role) : std::nullopt;
    if (!account || !parsed) {
      p.add(field, "bad_role",
            "needs account_id and a role: enterprise_admin, senior_admin, admin or member");
      continue;
    }
    auto a = load(c, "account/" + *account);
    if (!a || !*a || (*a)->account().enterprise_id() != enterprise) {
      p.add(field + ".account_id", "unknown_account",
            "'" + *account + "' is not an account of this enterprise");
      continue;
    }
    auto* b = u.add_roles();
    b->set_account_id(*account);
    b->set_role(*parsed);
  }
}

/// Loads the user of the path into `out` if they belong to the caller's enterprise; an answer
/// if not.
std::optional<http::response> target(const api_context& c, const call& k,
                                     wire::ControlRecord& out) {
  auto r = load(c, "user/" + k.req.param("user_id"));
  if (!r)
    return internal(r.error());
  if (!*r || (*r)->user().deleted() || (*r)->user().enterprise_id() != k.account.enterprise_id())
    return http::error(404, "unknown_user", "no such user in this enterprise");
  out = std::move(**r);
  return std::nullopt;
}

http::response list_users(api_context& c, call& k) {
  json users = json::array();
  auto ok = c.deps.state->scan("user/", [&](std::string_view, const wire::ControlRecord& r) {
    if (!r.user().deleted() && r.user().enterprise_id() == k.account.enterprise_id())
      users.push_back(user_json(r.user()));
    return true;
  });
  if (!ok)
    return internal(ok.error());
  return json_response(200, {{"users", users}});
}

http::response get_user(api_context& c, call& k) {
  wire::ControlRecord rec;
  if (auto no = target(c, k, rec))
    return *no;
  return json_response(200, user_json(rec.user()));
}

http::response post_user(api_context& c, call& k) {
  return create_user(c, k, k.body, k.account.enterprise_id());
}

bool same_roles(const wire::User& a, const wire::User& b) {
  if (a.roles_size() != b.roles_size())
    return false;
  for (int i = 0; i < a.roles_size(); ++i)
    if (a.roles(i).account_id() != b.roles(i).account_id() ||
        a.roles(i).role() != b.roles(i).role())
      return false;
  return true;
}

http::response put_user(api_context& c, call& k) {
  wire::ControlRecord rec;
  if (auto no = target(c, k, rec))
    return *no;
  problems p;
  std::optional<std::string> refusal;
  auto enterprise = k.account.enterprise_id();
  auto written = update_user(c, rec.user().user_id(), [&](wire::User& cur) {
    if (cur.enterprise_id() != enterprise)
      return false;
    auto before = cur;
    p = problems{};
    read_user(c, k.body, enterprise, cur, p, false);
    if (!p.empty())
      return false;
    // Grants are the API's to check, not only the portal's.
    if (!k.by_operator && (refusal = grant_refusal(k.user, before, cur)))
      return false;
    // A new role or a disabled user: the user's sessions end on every node.
    if (!same_roles(before, cur) || (before.active() && !cur.active()))
      cur.set_session_epoch(cur.session_epoch() + 1);
    return true;
  });
  if (!p.empty())
    return p.response();
  if (refusal)
    return http::error(403, "role_not_grantable", *refusal);
  if (!written)
    return internal(written.error());
  if (!*written)
    return http::error(404, "unknown_user", "no such user in this enterprise");
  audit(c, k, "user_updated", (*written)->user_id());
  return json_response(200, user_json(**written));
}

http::response delete_user(api_context& c, call& k) {
  wire::ControlRecord rec;
  if (auto no = target(c, k, rec))
    return *no;
  if (rec.user().user_id() == k.user.user_id())
    return http::error(409, "cannot_delete_self", "you cannot delete yourself");
  auto written = update_user(c, rec.user().user_id(), [&](wire::User& u) {
    u.set_deleted(true);
    u.clear_password_hash();
    u.clear_reset_code_hash();
    u.set_session_epoch(u.session_epoch() + 1);
    return true;
  });
  if (!written)
    return internal(written.error());
  if (!*written)
    return http::error(404, "unknown_user", "no such user in this enterprise");
  audit(c, k, "user_deleted", rec.user().user_id());
  return no_content();
}

http::response reset_user(api_context& c, call& k) {
  wire::ControlRecord rec;
  if (auto no = target(c, k, rec))
    return *no;
  std::string code;
  auto written = update_user(c, rec.user().user_id(), [&](wire::User& u) {
    code = set_reset_code(c, u);
    return true;
  });
  if (!written)
    return internal(written.error());
  if (!*written)
    return http::error(404, "unknown_user", "no such user in this enterprise");
  auto mailed = send_reset_code(c, **written, code);
  audit(c, k, "password_reset_sent", (*written)->user_id());
  json out{{"status", "accepted"}};
  report_mail(out, mailed);
  return json_response(202, out);
}

}  // namespace

http::response create_user(api_context& c, const call& k, const json& body,
                           const std::string& enterprise) {
  problems p;
  wire::ControlRecord rec;
  auto& u = *rec.mutable_user();
  auto email = string_field(body, "email", p, true);
  std::string addr;
  if (email) {
    addr = email_key(*email);
    if (!plausible_email(addr))
      p.add("email", "bad_email", "'" + *email + "' is not an email address");
  }
  read_user(c, body, enterprise, u, p, true);
  if (!p.empty())
    return p.response();
  if (!k.by_operator)
    if (auto why = grant_refusal(k.user, wire::User{}, u))
      return http::error(403, "role_not_grantable", *why);
  auto existing = c.deps.state->user_by_email(addr);
  if (!existing)
    return internal(existing.error());
  if (*existing)
    return http::error(409, "email_taken", "a user with this email address exists already");
  u.set_user_id("u-" + random_hex(8));
  u.set_enterprise_id(enterprise);
  u.set_email(addr);
  u.set_created_at_ms(c.now());
  auto temporary = set_temporary_password(u, c.cost, c.now());
  if (!temporary)
    return internal(caf::make_error(errc::io_failure, "password.hash", "hashing failed"));
  const auto& pw = *temporary;
  if (auto ok = c.out->put(rec); !ok)
    return internal(ok.error());
  auto mailed = send_temporary_password(c, u, pw);
  // The operator's calls carry no user id; the guard names them by email.
  spdlog::info("event=user_created user={} by={} mail={}", u.user_id(),
               k.user.user_id().empty() ? k.user.email() : k.user.user_id(),
               connectors::smtp::to_string(mailed));
  audit(c, k, "user_created", addr);
  auto out = user_json(u);
  report_mail(out, mailed);
  if (mailed != mail_outcome::sent && k.by_operator)
    out["temporary_password"] = pw;
  return json_response(201, out);
}

std::vector<std::string> user_fields(std::string_view extra) {
  std::vector<std::string> out{"name", "active", "roles[].account_id", "roles[].role"};
  if (!extra.empty())
    out.emplace_back(extra);
  return out;
}

void add_user_routes(std::vector<api_route>& out) {
  using a = access;
  out.push_back({{"GET", "/v1/users", a::users_manage}, list_users});
  out.push_back(
      {{"POST", "/v1/users", a::users_manage, body_kind::json, user_fields("email")}, post_user});
  out.push_back({{"GET", "/v1/users/{user_id}", a::users_manage}, get_user});
  out.push_back(
      {{"PUT", "/v1/users/{user_id}", a::users_manage, body_kind::json, user_fields()}, put_user});
  out.push_back({{"DELETE", "/v1/users/{user_id}", a::users_manage}, delete_user});
  out.push_back({{"POST", "/v1/users/{user_id}/password-reset", a::users_manage}, reset_user});
}

}  // namespace ivrcast::control
