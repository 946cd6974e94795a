#include "control/api.hpp"

#include <algorithm>
#include <filesystem>

#include <spdlog/spdlog.h>

#include "config/defaults.hpp"
#include "control/api_internal.hpp"
#include "control/audio.hpp"
#include "control/body_rules.hpp"
#include "control/cidr.hpp"
#include "control/passwords.hpp"
#include "messages/clock.hpp"
#include "messages/errc.hpp"
#include "messages/text.hpp"
#include "sms/log_csv.hpp"
#include "storage/control_state.hpp"

namespace ivrcast::control {
namespace {

/// The portal to serve: a build tree's, built beside this binary (<build>/actors/ivrcast →
/// <build>/portal), else the installed one; none (the API alone) if neither is there. A web root
/// the operator names is served as named, and must exist.
std::string portal_root(const std::string& configured) {
  if (!configured.empty() && configured != config::defaults::http_web_root)
    return configured;
  std::error_code ec;
  auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (!ec)
    if (auto beside = exe.parent_path().parent_path() / "portal";
        std::filesystem::exists(beside / "index.html", ec))
      return beside.string();
  if (std::filesystem::is_directory(config::defaults::http_web_root, ec))
    return config::defaults::http_web_root;
  spdlog::info("event=portal_not_installed web_root={}", config::defaults::http_web_root);
  return {};
}

std::vector<api_route> all_routes() {
  std::vector<api_route> out;
  add_session_routes(out);
  add_flow_routes(out);
  add_report_routes(out);
  add_user_routes(out);
  add_admin_routes(out);
  add_ops_routes(out);
  add_usage_routes(out);
  add_notice_routes(out);
  add_audit_routes(out);
  return out;
}

/// Routes a session whose password must be changed may still use.
bool allowed_before_password_change(const route_info& r) {
  return r.pattern == "/v1/session" || r.pattern == "/v1/session/password";
}

/// Query parameters an API route (/v1/…) does not take, each a problem naming those it does.
problems unknown_parameters(const route_info& r, const http::request& req) {
  problems p;
  if (!r.pattern.starts_with("/v1/"))
    return p;
  for (const auto& [name, value] : req.query) {
    if (std::find(r.query.begin(), r.query.end(), name) != r.query.end())
      continue;
    std::string known;
    for (const auto& q : r.query)
      known += (known.empty() ? "" : ", ") + q;
    p.add(name, "unknown_parameter",
          "'" + name + "' is not a parameter of " + r.method + " " + r.pattern +
              (known.empty() ? " (it takes none)" : " (" + known + ")"));
  }
  return p;
}

/// The handler of `route`, once the query and body are what the route takes.
http::response checked(api_context& c, const api_route& route, call& k) {
  if (auto p = unknown_parameters(route.info, k.req); !p.empty())
    return p.response();
  if (k.req.method != "GET")
    if (auto bad = check_body(route.info, k.req,
                              static_cast<size_t>(c.settings().http.max_json_bytes), k.body))
      return *bad;
  return route.fn(c, k);
}

/// Runs the access checks of `route`, then its handler.
http::response guarded(api_context& c, const api_route& route, const http::request& req) {
  call k{req, std::nullopt, {}, {}, wire::ROLE_UNSPECIFIED, json::object(), false};
  auto need = route.info.need;
  if (need == access::anyone)
    return checked(c, route, k);
  if (need == access::operator_only) {
    const auto& token = c.settings().http.admin_token;
    auto given = req.header("authorization");
    if (token.empty() || !given.starts_with("Bearer ") || !same_secret(given.substr(7), token))
      return http::error(403, "forbidden", "the admin API needs the operator's bearer token");
    k.user.set_email("operator");  // who the audit events name
    k.by_operator = true;
    return checked(c, route, k);
  }
  auto token = req.cookie("ivrcast_session");
  std::optional<session> s;
  if (!token.empty()) {
    auto t = c.sessions->touch(token, c.now());
    if (!t)
      return internal(t.error());
    s = std::move(*t);
  }
  if (!s)
    return http::error(401, "not_logged_in", "log in first (no session, or it expired)");
  k.sess = s;
  if (req.method != "GET" && !same_secret(req.header("x-csrf-token"), s->csrf))
    return http::error(403, "csrf_failed",
                       "the X-CSRF-Token header is missing or does not match the session");
  auto u = load(c, "user/" + s->user_id);
  if (!u)
    return internal(u.error());
  if (!*u || (*u)->user().deleted() || !(*u)->user().active() ||
      (*u)->user().session_epoch() != s->epoch) {
    // Ended everywhere (logout elsewhere, password change, role change, deletion): this
    // node forgets it too.
    if (auto ok = c.sessions->erase(*s); !ok)
      spdlog::warn("event=session_erase_failed error=\"{}\"", describe(ok.error()));
    return http::error(401, "not_logged_in", "the session has ended (or the user is disabled)");
  }
  if (auto purged = c.sessions->purge(c.now()); !purged)
    spdlog::warn("event=session_purge_failed error=\"{}\"", describe(purged.error()));
  k.user = (*u)->user();
  if (s->must_change_password && !allowed_before_password_change(route.info))
    return http::error(403, "password_change_required", "change your password first");
  if (need == access::session)
    return checked(c, route, k);
  if (s->account_id.empty())
    return http::error(403, "account_not_selected", "choose an account first");
  auto a = load(c, "account/" + s->account_id);
  if (!a)
    return internal(a.error());
  if (!*a)
    return http::error(403, "account_not_selected", "the chosen account no longer exists");
  k.account = (*a)->account();
  if (auto refused = refuse_account(c, k))
    return *refused;
  k.role = role_on(k.user, k.account.account_id());
  if (!role_allows(k.role, need))
    return http::error(403, "forbidden", "your role on this account does not allow this");
  return checked(c, route, k);
}

}  // namespace

// -- helpers -------------------------------------------------------------------------------

bool role_allows(wire::Role r, access a) {
  switch (a) {
    case access::flows_publish:
      return r == wire::ENTERPRISE_ADMIN || r == wire::SENIOR_ADMIN || r == wire::ADMIN;
    case access::logs_view:
      return r == wire::ENTERPRISE_ADMIN || r == wire::SENIOR_ADMIN;
    case access::users_manage:
      return r == wire::ENTERPRISE_ADMIN;
    default:
      return r != wire::ROLE_UNSPECIFIED;
  }
}

std::optional<http::response> refuse_account(api_context& c, const call& k) {
  if (k.account.state() == wire::ACCOUNT_STATE_TERMINATED)
    return http::error(403, "account_terminated", "this account has been terminated");
  std::vector<std::string> allow{k.account.ip_allowlist().begin(), k.account.ip_allowlist().end()};
  if (!address_allowed(k.req.remote_addr, allow)) {
    audit(c, k, "ip_refused");
    return http::error(403, "ip_not_allowed",
                       "this account may not be used from your network address");
  }
  return std::nullopt;
}

wire::Role role_on(const wire::User& u, std::string_view account_id) {
  for (const auto& b : u.roles())
    if (b.account_id() == account_id)
      return b.role();
  return wire::ROLE_UNSPECIFIED;
}

http::response json_response(int status, const json& body) {
  http::response r;
  r.status = status;
  r.body = body.dump(-1, ' ', false, json::error_handler_t::replace);
  return r;
}

http::response no_content() {
  http::response r;
  r.status = 204;
  return r;
}

http::response internal(const caf::error& e) {
  // The detail (paths, store messages) is for the operator's log; the client gets a name for it.
  auto incident = random_hex(6);
  spdlog::error("event=api_failure incident={} error=\"{}\"", incident, describe(e));
  return http::error(
      500, "internal",
      "the request failed on the server (incident " + incident + " in the operator's log)");
}

http::response problems::response() const {
  return http::error(
      400, list[0]["code"].get<std::string>(),
      list[0]["field"].get<std::string>() + ": " + list[0]["message"].get<std::string>(),
      list.dump(-1, ' ', false, json::error_handler_t::replace));
}

std::vector<std::string> strings_field(const json& body, const std::string& name, problems& p) {
  std::vector<std::string> out;
  auto it = body.find(name);
  if (it == body.end())
    return out;
  if (!it->is_array()) {
    p.add(name, "not_an_array", "must be an array of strings");
    return out;
  }
  for (const auto& v : *it) {
    if (!v.is_string()) {
      p.add(name, "not_an_array", "must be an array of strings");
      return {};
    }
    out.push_back(v.get<std::string>());
  }
  return out;
}

std::optional<std::string> string_field(const json& j, const std::string& name, problems& p,
                                        bool required) {
  auto it = j.find(name);
  if (it == j.end() || it->is_null()) {
    if (required)
      p.add(name, "required", "is required");
    return std::nullopt;
  }
  if (!it->is_string()) {
    p.add(name, "not_a_string", "must be a string");
    return std::nullopt;
  }
  return it->get<std::string>();
}

caf::expected<std::optional<wire::User>> update_user(api_context& c, const std::string& user_id,
                                                     const std::function<bool(wire::User&)>& fn,
                                                     bool include_deleted) {
  std::optional<wire::User> out;
  auto ok = c.out->update("user/" + user_id, [&](std::optional<wire::ControlRecord>& cur) {
    out.reset();
    if (!cur || !cur->has_user() || (cur->user().deleted() && !include_deleted) ||
        !fn(*cur->mutable_user()))
      return mutation_result::leave;
    out = cur->user();
    return mutation_result::write;
  });
  if (!ok)
    return std::move(ok.error());
  if (!*ok)
    out.reset();
  return out;
}

caf::expected<std::optional<wire::ControlRecord>> load(const api_context& c,
                                                       const std::string& key) {
  return c.deps.state->get(key);
}

std::string jst(int64_t unix_ms) {
  std::string out;
  sms::append_jst(out, unix_ms);
  return out;
}

std::string role_name(wire::Role r) {
  switch (r) {
    case wire::ENTERPRISE_ADMIN:
      return "enterprise_admin";
    case wire::SENIOR_ADMIN:
      return "senior_admin";
    case wire::ADMIN:
      return "admin";
    case wire::MEMBER:
      return "member";
    default:
      return "none";
  }
}

std::optional<wire::Role> role_from(std::string_view name) {
  for (auto r : {wire::ENTERPRISE_ADMIN, wire::SENIOR_ADMIN, wire::ADMIN, wire::MEMBER})
    if (role_name(r) == name)
      return r;
  return std::nullopt;
}

json user_json(const wire::User& u) {
  json roles = json::array();
  for (const auto& b : u.roles())
    roles.push_back({{"account_id", b.account_id()}, {"role", role_name(b.role())}});
  return {{"user_id", u.user_id()},
          {"email", u.email()},
          {"name", u.name()},
          {"active", u.active()},
          {"enterprise_id", u.enterprise_id()},
          {"roles", roles}};
}

json accounts_json(const api_context& c, const wire::User& u) {
  json out = json::array();
  for (const auto& b : u.roles()) {
    auto a = load(c, "account/" + b.account_id());
    if (!a || !*a)
      continue;
    const auto& acc = (*a)->account();
    out.push_back({{"account_id", acc.account_id()},
                   {"name", acc.name()},
                   {"enterprise_id", acc.enterprise_id()},
                   {"role", role_name(b.role())},
                   {"terminated", acc.state() == wire::ACCOUNT_STATE_TERMINATED}});
  }
  return out;
}

void audit(api_context& c, const call& k, std::string event, std::string detail) {
  wire::AuditEvent ev;
  ev.set_at_ms(c.now());
  ev.set_event(std::move(event));
  ev.set_user_id(k.user.user_id());
  ev.set_email(k.user.email());
  ev.set_account_id(k.account.account_id());
  ev.set_ip(k.req.remote_addr);
  ev.set_detail(std::move(detail));
  ev.set_enterprise_id(k.user.enterprise_id().empty() ? k.account.enterprise_id()
                                                      : k.user.enterprise_id());
  // Security events as counters: login failures, locks, IP refusals, downloads, ...
  c.metrics
      ->get_counter("ivrcast_audit_events_total", "Audit events by kind", {{"event", ev.event()}})
      .inc();
  c.out->audit(std::move(ev));
}

// -- api -----------------------------------------------------------------------------------

struct api::impl {
  api_context ctx;
  std::unique_ptr<http::server> server;
};

caf::expected<std::unique_ptr<api>> api::start(api_deps deps) {
  std::unique_ptr<api> out{new api};
  out->impl_ = std::make_unique<impl>();
  auto& c = out->impl_->ctx;
  if (!deps.now_ms)
    deps.now_ms = [] { return unix_now_ms(); };
  c.deps = std::move(deps);
  if (!c.deps.metrics)
    c.own_metrics = std::make_unique<metrics::registry>();
  c.metrics = c.deps.metrics ? c.deps.metrics : c.own_metrics.get();
  const auto& s = c.settings();
  c.cost = hash_cost{s.security.argon2_ops, s.security.argon2_mem_kib};
  c.login_limit = std::make_unique<login_rate_limit>(s.security.logins_per_minute);
  c.mail = std::make_unique<connectors::smtp::mailer>(s.smtp);
  auto w = writer::open(*c.deps.bus, *c.deps.state, s.node.id);
  if (!w)
    return std::move(w.error());
  c.out = std::move(*w);
  c.sessions = std::make_unique<session_store>(*c.deps.state, *c.out);
  // The notices' reply address is smtp.from's.
  c.notices =
      std::make_unique<notice_mailer>(*c.deps.state, *c.out, *c.mail, s.node.id,
                                      connectors::smtp::address_of(s.smtp.from), c.deps.now_ms);
  c.notices->start();
  c.background = std::make_unique<background_jobs>(1000);
  std::vector<http::route> routes;
  for (auto& r : all_routes()) {
    auto* ctx = &c;
    // A body is refused at its route's limit before it is read further (chunked or not).
    auto limit = r.info.body == body_kind::wav ? max_audio_bytes
                                               : static_cast<size_t>(s.http.max_json_bytes);
    routes.push_back({r.info.method, r.info.pattern,
                      [ctx, r](const http::request& req) { return guarded(*ctx, r, req); }, limit});
  }
  http::server_options opts;
  opts.listen = s.http.listen;
  opts.threads = s.http.threads;
  opts.web_root = portal_root(s.http.web_root);
  opts.metrics = c.metrics;
  auto srv = http::server::start(opts, std::move(routes));
  if (!srv)
    return std::move(srv.error());
  out->impl_->server = std::move(*srv);
  return out;
}

api::~api() {
  stop();
}

int api::port() const {
  return impl_->server->port();
}

void api::stop() {
  if (impl_ && impl_->server)
    impl_->server->stop();
  if (impl_ && impl_->ctx.notices)
    impl_->ctx.notices->stop();
  if (impl_ && impl_->ctx.background)
    impl_->ctx.background->stop();
}

std::vector<route_info> api::routes() {
  std::vector<route_info> out;
  for (const auto& r : all_routes())
    out.push_back(r.info);
  return out;
}

}  // namespace ivrcast::control
