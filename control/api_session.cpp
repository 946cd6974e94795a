// Login, logout, account selection, password change and reset (product.md §6).

#include <algorithm>

#include "control/api_internal.hpp"
#include "messages/text.hpp"
#include "storage/audit_log.hpp"
#include "storage/control_state.hpp"

namespace ivrcast::control {
namespace {

std::string cookie(const api_context& c, const std::string& name, const std::string& value,
                   bool http_only, bool clear = false) {
  auto out = name + "=" + value + "; Path=/; SameSite=Strict";
  if (http_only)
    out += "; HttpOnly";
  if (c.settings().http.secure_cookies)
    out += "; Secure";
  if (clear)
    out += "; Max-Age=0";
  return out;
}

json session_json(const api_context& c, const session& s, const wire::User& u) {
  auto role = role_on(u, s.account_id);
  return {{"user", user_json(u)},
          {"accounts", accounts_json(c, u)},
          {"account_id", s.account_id},
          {"role", role_name(role)},
          {"permissions",
           {{"flows_edit", role_allows(role, access::flows_edit)},
            {"flows_publish", role_allows(role, access::flows_publish)},
            {"logs_view", role_allows(role, access::logs_view)},
            {"users_manage", role_allows(role, access::users_manage)}}},
          {"password_change_required", s.must_change_password},
          {"csrf_token", s.csrf}};
}

http::response refused_login() {
  // The same answer for an unknown address and a wrong password (enumeration resistance).
  return http::error(401, "invalid_credentials", "the email address or password is wrong");
}

http::response locked() {
  return http::error(423, "locked",
                     "too many failed logins: try again in 30 minutes or reset your password");
}

/// Every node's login events for an address that matches no user.
caf::expected<login_trail> login_trail_of(const api_context& c, const std::string& addr) {
  storage::audit_query q;
  q.email = addr;
  q.limit = login_trail_events;
  bool more = false;
  auto events = c.deps.audit->find(q, more);
  if (!events)
    return std::move(events.error());
  return read_login_trail(*events, c.now(), lockout_ms);
}

/// Counts a login or reset attempt from the request's address against its limit on every
/// node: nullopt lets it through (and records it in the audit trail, which the other nodes
/// count), else the answer that refuses it. The others' attempts count once their trail has
/// them (the audit topic's lag, milliseconds); this node's own count at once.
std::optional<http::response> over_attempt_limit(api_context& c, call& k, const char* what,
                                                 const char* refusal) {
  const auto& from = k.req.remote_addr;
  auto now = c.now();
  int elsewhere = 0;
  if (c.deps.audit) {
    // The same window as this node's own count: attempts after now - window.
    auto n = c.deps.audit->attempts_since(from, now - login_rate_limit::window_ms + 1,
                                          c.settings().node.id, c.login_limit->per_minute());
    if (!n)
      return internal(n.error());
    elsewhere = *n;
  }
  if (!c.login_limit->allow(from, now, elsewhere))
    return http::error(429, "too_many_attempts", refusal);
  audit(c, k, std::string{storage::address_attempt_event}, what);
  return std::nullopt;
}

http::response login(api_context& c, call& k) {
  const auto& body = k.body;
  problems p;
  auto email = string_field(body, "email", p, true);
  auto password = string_field(body, "password", p, true);
  if (!p.empty())
    return p.response();
  if (auto refused = over_attempt_limit(c, k, "login",
                                        "too many login attempts from your address: wait a minute"))
    return *refused;
  auto addr = email_key(*email);
  k.user.set_email(addr);
  auto uid = c.deps.state->user_by_email(addr);
  if (!uid)
    return internal(uid.error());
  std::optional<wire::ControlRecord> rec;
  if (*uid) {
    auto r = load(c, "user/" + **uid);
    if (!r)
      return internal(r.error());
    rec = std::move(*r);
  }
  if (!rec || rec->user().deleted() || !rec->user().active()) {
    auto trail = login_trail_of(c, addr);
    if (!trail)
      return internal(trail.error());
    if (c.unknown_failures.locked_until(addr, c.now(), *trail) != 0)
      return locked();
    // ignored: the result is always "no"; the work makes the answer take as long as a real one
    (void)verify_password(dummy_hash(c.cost), *password);
    audit(c, k, "login_failed", "unknown or disabled user");
    if (c.unknown_failures.fail(addr, c.now(), max_failed_logins, lockout_ms, *trail) != 0) {
      audit(c, k, "locked", "unknown or disabled user");
      return locked();
    }
    return refused_login();
  }
  auto& u = *rec->mutable_user();
  k.user = u;
  if (u.locked_until_ms() > c.now()) {
    audit(c, k, "login_refused_locked");
    return locked();
  }
  if (!verify_password(u.password_hash(), *password)) {
    // Counted on the record as it is now, not as this request read it: concurrent wrong
    // logins on any node each count once, and a role change or deletion meanwhile stands.
    bool now_locked = false;
    bool already_locked = false;
    auto counted = update_user(c, u.user_id(), [&](wire::User& cur) {
      already_locked = cur.locked_until_ms() > c.now();
      if (already_locked)
        return false;
      cur.set_failed_logins(cur.failed_logins() + 1);
      now_locked = cur.failed_logins() >= max_failed_logins;
      if (now_locked) {
        cur.set_failed_logins(0);
        cur.set_locked_until_ms(c.now() + lockout_ms);
      }
      return true;
    });
    if (!counted)
      return internal(counted.error());
    if (already_locked) {
      audit(c, k, "login_refused_locked");
      return locked();
    }
    if (!*counted)  // deleted meanwhile: as for an unknown address
      return refused_login();
    audit(c, k, now_locked ? "locked" : "login_failed");
    return now_locked ? locked() : refused_login();
  }
  if (u.temporary_until_ms() > 0 && c.now() > u.temporary_until_ms()) {
    audit(c, k, "login_refused_temporary_expired");
    return http::error(401, "temporary_password_expired",
                       "the temporary password has expired: ask for a password reset");
  }
  if (u.failed_logins() != 0 || u.locked_until_ms() != 0) {
    bool locked_meanwhile = false;
    auto reset = update_user(c, u.user_id(), [&](wire::User& cur) {
      // A lock set by concurrent failures after this request read the user wins.
      locked_meanwhile = cur.locked_until_ms() > c.now();
      if (locked_meanwhile || (cur.failed_logins() == 0 && cur.locked_until_ms() == 0))
        return false;
      cur.set_failed_logins(0);
      cur.set_locked_until_ms(0);
      return true;
    });
    if (!reset)
      return internal(reset.error());
    if (locked_meanwhile)
      return locked();
  }
  bool must_change =
      u.temporary_until_ms() > 0 || c.now() - u.password_set_at_ms() >= password_lifetime_ms;
  // One account: chosen for the user, as the portal would do it anyway (in the one write that
  // makes the session).
  std::string account;
  if (u.roles_size() == 1 && !must_change) {
    auto a = load(c, "account/" + u.roles(0).account_id());
    if (a && *a) {
      k.account = (*a)->account();
      if (!refuse_account(c, k))
        account = k.account.account_id();
    }
  }
  auto made = c.sessions->create(u, must_change, account, c.now());
  if (!made)
    return internal(made.error());
  auto& s = *made;
  audit(c, k, "login_ok", must_change ? "password change required" : "");
  auto out = json_response(200, session_json(c, s, u));
  out.headers.emplace_back("Set-Cookie", cookie(c, "ivrcast_session", s.token, true));
  out.headers.emplace_back("Set-Cookie", cookie(c, "ivrcast_csrf", s.csrf, false));
  return out;
}

http::response logout(api_context& c, call& k) {
  if (auto ok = c.sessions->erase(*k.sess); !ok)
    return internal(ok.error());
  audit(c, k, "logout");
  auto out = no_content();
  out.headers.emplace_back("Set-Cookie", cookie(c, "ivrcast_session", "", true, true));
  out.headers.emplace_back("Set-Cookie", cookie(c, "ivrcast_csrf", "", false, true));
  return out;
}

http::response current(api_context& c, call& k) {
  return json_response(200, session_json(c, *k.sess, k.user));
}

http::response choose_account(api_context& c, call& k) {
  const auto& body = k.body;
  problems p;
  auto id = string_field(body, "account_id", p, true);
  if (!p.empty())
    return p.response();
  auto a = load(c, "account/" + *id);
  if (!a)
    return internal(a.error());
  if (role_on(k.user, *id) == wire::ROLE_UNSPECIFIED || !*a)
    return http::error(403, "forbidden", "you have no role on account " + *id);
  k.account = (*a)->account();
  if (auto refused = refuse_account(c, k))
    return *refused;
  k.sess->account_id = *id;
  if (auto ok = c.sessions->update(*k.sess); !ok)
    return internal(ok.error());
  audit(c, k, "account_selected");
  return json_response(200, session_json(c, *k.sess, k.user));
}

/// Sets `hash` (of a password the user chose) as the user's own password, not temporary,
/// clearing locks and reset codes.
void set_password(const api_context& c, wire::User& u, const std::string& hash) {
  u.set_password_hash(hash);
  u.set_password_set_at_ms(c.now());
  u.set_temporary_until_ms(0);
  u.set_failed_logins(0);
  u.set_locked_until_ms(0);
  u.clear_reset_code_hash();
  u.set_reset_until_ms(0);
  u.set_reset_attempts(0);
}

void check_new_password(const std::string& pw, problems& p) {
  for (const auto& r : password_problems(pw))
    p.add("new_password", r.code, r.message);
}

http::response change_password(api_context& c, call& k) {
  const auto& body = k.body;
  problems p;
  auto current_pw = string_field(body, "current_password", p, true);
  auto next = string_field(body, "new_password", p, true);
  if (!p.empty())
    return p.response();
  if (!verify_password(k.user.password_hash(), *current_pw)) {
    audit(c, k, "password_change_refused");
    return http::error(400, "wrong_password", "current_password: the current password is wrong");
  }
  check_new_password(*next, p);
  if (*next == *current_pw)
    p.add("new_password", "password_unchanged", "must differ from the current password");
  if (!p.empty())
    return p.response();
  // Other sessions end everywhere (a new epoch); this one moves to the new epoch.
  auto hash = hash_password(*next, c.cost);
  if (hash.empty())  // never an empty password on the record
    return internal(caf::make_error(errc::io_failure, "password.hash", "hashing failed"));
  auto changed = update_user(c, k.user.user_id(), [&](wire::User& cur) {
    set_password(c, cur, hash);
    cur.set_session_epoch(cur.session_epoch() + 1);
    return true;
  });
  if (!changed)
    return internal(changed.error());
  if (!*changed)
    return http::error(401, "not_logged_in", "the user no longer exists");
  k.sess->must_change_password = false;
  k.sess->epoch = (*changed)->session_epoch();
  if (auto ok = c.sessions->update(*k.sess); !ok)
    return internal(ok.error());
  audit(c, k, "password_changed");
  return no_content();
}

/// A reset asked for `addr`: a new code mailed if the address is an active user's (off the
/// request path; failures are logged).
void send_reset(api_context& c, const std::string& addr, const http::request& from) {
  auto uid = c.deps.state->user_by_email(addr);
  if (!uid || !*uid)
    return;
  std::string code;
  auto r = update_user(c, **uid, [&](wire::User& cur) {
    if (!cur.active())
      return false;
    code = set_reset_code(c, cur);
    return true;
  });
  if (!r) {
    spdlog::error("event=password_reset_failed error=\"{}\"", describe(r.error()));
    return;
  }
  if (!*r)
    return;
  call k{from, std::nullopt, **r, {}, wire::ROLE_UNSPECIFIED, {}, false};
  (void)send_reset_code(c, k.user, code);  // ignored: the mailer logs its failures
  audit(c, k, "password_reset_requested");
}

http::response request_reset(api_context& c, call& k) {
  const auto& body = k.body;
  problems p;
  auto email = string_field(body, "email", p, true);
  if (!p.empty())
    return p.response();
  if (auto refused =
          over_attempt_limit(c, k, "password_reset", "too many requests from your address"))
    return *refused;
  // The lookup, the new code and the mail happen after the answer, so a known address and an
  // unknown one answer alike and as fast (enumeration resistance).
  auto addr = email_key(*email);
  http::request from;
  from.remote_addr = k.req.remote_addr;
  auto* ctx = &c;
  if (!c.background->post([ctx, addr, from] { send_reset(*ctx, addr, from); }))
    spdlog::warn("event=password_reset_dropped reason=\"queue full\"");
  return json_response(202, {{"status", "accepted"}});
}

http::response confirm_reset(api_context& c, call& k) {
  const auto& body = k.body;
  problems p;
  auto email = string_field(body, "email", p, true);
  auto code = string_field(body, "code", p, true);
  auto next = string_field(body, "new_password", p, true);
  if (next)
    check_new_password(*next, p);
  if (!p.empty())
    return p.response();
  auto invalid = http::error(400, "invalid_reset_code", "the reset code is wrong or has expired");
  auto uid = c.deps.state->user_by_email(email_key(*email));
  if (!uid)
    return internal(uid.error());
  if (!*uid)
    return invalid;
  auto r = load(c, "user/" + **uid);
  if (!r)
    return internal(r.error());
  if (!*r)
    return invalid;
  auto& u = *(*r)->mutable_user();
  k.user = u;
  if (u.deleted() || !u.active() || u.reset_code_hash().empty() || u.reset_until_ms() < c.now() ||
      u.reset_attempts() >= max_reset_attempts) {
    audit(c, k, "password_reset_refused");
    return invalid;
  }
  if (!same_secret(digest_hex(*code), u.reset_code_hash())) {
    // Counted on the user's record, so the limit holds on every node: at the fifth wrong code
    // the code is void and a new one must be asked for.
    auto wrong_hash = u.reset_code_hash();
    auto counted = update_user(c, u.user_id(), [&](wire::User& cur) {
      if (cur.reset_code_hash() != wrong_hash)
        return false;  // a new code meanwhile
      cur.set_reset_attempts(cur.reset_attempts() + 1);
      if (cur.reset_attempts() >= max_reset_attempts) {
        cur.clear_reset_code_hash();
        cur.set_reset_until_ms(0);
      }
      return true;
    });
    if (!counted)
      return internal(counted.error());
    audit(c, k, "password_reset_refused");
    return invalid;
  }
  auto hash = hash_password(*next, c.cost);
  if (hash.empty())  // never an empty password on the record
    return internal(caf::make_error(errc::io_failure, "password.hash", "hashing failed"));
  auto code_hash = u.reset_code_hash();
  auto done = update_user(c, u.user_id(), [&](wire::User& cur) {
    // The code is used once: a concurrent confirmation with the same code finds it gone.
    if (cur.reset_code_hash() != code_hash || !cur.active())
      return false;
    set_password(c, cur, hash);
    cur.set_session_epoch(cur.session_epoch() + 1);
    return true;
  });
  if (!done)
    return internal(done.error());
  if (!*done) {
    audit(c, k, "password_reset_refused");
    return invalid;
  }
  audit(c, k, "password_reset_done");
  return no_content();
}

http::response health(api_context& c, call&) {
  return json_response(200, {{"status", "ok"},
                             {"node", c.settings().node.id},
                             {"control_offset", c.deps.state->applied()}});
}

}  // namespace

std::optional<std::string> set_temporary_password(wire::User& u, hash_cost cost, int64_t now_ms) {
  auto pw = temporary_password();
  auto hash = hash_password(pw, cost);
  if (hash.empty())
    return std::nullopt;  // never an empty password on the record
  u.set_password_hash(hash);
  u.set_password_set_at_ms(now_ms);
  u.set_temporary_until_ms(now_ms + temporary_password_ms);
  u.set_failed_logins(0);
  u.set_locked_until_ms(0);
  return pw;
}

mail_outcome send_temporary_password(const api_context& c, const wire::User& u,
                                     const std::string& pw) {
  return c.mail->deliver(u.email(), "temporary_password",
                         {{"name", u.name()},
                          {"email", u.email()},
                          {"password", pw},
                          {"valid_until", jst(u.temporary_until_ms())},
                          {"link", c.settings().http.public_url + "/"}});
}

std::string set_reset_code(const api_context& c, wire::User& u) {
  auto code = random_hex(8);
  u.set_reset_code_hash(digest_hex(code));
  u.set_reset_until_ms(c.now() + reset_code_ms);
  u.set_reset_attempts(0);
  return code;
}

mail_outcome send_reset_code(const api_context& c, const wire::User& u, const std::string& code) {
  return c.mail->deliver(
      u.email(), "password_reset",
      {{"name", u.name()},
       {"code", code},
       {"valid_until", jst(u.reset_until_ms())},
       {"link", c.settings().http.public_url + "/#/reset?email=" + u.email() + "&code=" + code}});
}

void report_mail(json& out, mail_outcome m) {
  out["mail_sent"] = m == mail_outcome::sent;
  out["mail"] = connectors::smtp::to_string(m);
}

void add_session_routes(std::vector<api_route>& out) {
  out.push_back({{"GET", "/v1/health", access::anyone}, health});
  using j = body_kind;
  out.push_back({{"POST", "/v1/session", access::anyone, j::json, {"email", "password"}}, login});
  out.push_back({{"GET", "/v1/session", access::session}, current});
  out.push_back({{"DELETE", "/v1/session", access::session}, logout});
  out.push_back(
      {{"POST", "/v1/session/account", access::session, j::json, {"account_id"}}, choose_account});
  out.push_back({{"POST",
                  "/v1/session/password",
                  access::session,
                  j::json,
                  {"current_password", "new_password"}},
                 change_password});
  out.push_back(
      {{"POST", "/v1/password-resets", access::anyone, j::json, {"email"}}, request_reset});
  out.push_back({{"POST",
                  "/v1/password-resets/confirm",
                  access::anyone,
                  j::json,
                  {"email", "code", "new_password"}},
                 confirm_reset});
}

}  // namespace ivrcast::control
