#pragma once

// Shared by the api_*.cpp files only.

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include "connectors/http/server.hpp"
#include "connectors/smtp/mailer.hpp"
#include "control/api.hpp"
#include "control/background_jobs.hpp"
#include "control/notice_mailer.hpp"
#include "control/passwords.hpp"
#include "control/sessions.hpp"
#include "control/throttle.hpp"
#include "control/writer.hpp"
#include "messages/control.pb.h"
#include "messages/errc.hpp"
#include "messages/text.hpp"
#include "metrics/registry.hpp"

namespace ivrcast::control {

namespace http = connectors::http;
using json = nlohmann::json;

/// Product rules of product.md §6.
inline constexpr int64_t day_ms = 24LL * 3600 * 1000;
inline constexpr int64_t password_lifetime_ms = 90 * day_ms;
inline constexpr int64_t temporary_password_ms = 14 * day_ms;
inline constexpr int64_t reset_code_ms = 3600 * 1000;
inline constexpr int max_failed_logins = 5;
inline constexpr int max_reset_attempts = 5;  // wrong codes; then the code is void
inline constexpr int64_t lockout_ms = 30 * 60 * 1000;

/// Everything handlers share.
struct api_context {
  api_deps deps;
  std::unique_ptr<writer> out;
  std::unique_ptr<session_store> sessions;
  std::unique_ptr<login_rate_limit> login_limit;
  unknown_user_failures unknown_failures;
  std::unique_ptr<connectors::smtp::mailer> mail;
  hash_cost cost;
  std::unique_ptr<notice_mailer> notices;          // sends notice mails; null until started
  std::unique_ptr<background_jobs> background;     // work a request must not wait for
  std::unique_ptr<metrics::registry> own_metrics;  // when the node gave none
  metrics::registry* metrics = nullptr;

  int64_t now() const { return deps.now_ms(); }
  const config::settings& settings() const { return *deps.settings; }
};

/// A request after the access checks, with what they loaded.
struct call {
  const http::request& req;
  std::optional<session> sess;
  wire::User user;        // set from `session` on
  wire::Account account;  // set from `account` on
  wire::Role role = wire::ROLE_UNSPECIFIED;
  json body;                 // a JSON route's body, checked against route_info::fields
  bool by_operator = false;  // the operator's bearer-token call
};

using api_handler = std::function<http::response(api_context&, call&)>;

struct api_route {
  route_info info;
  api_handler fn;
};

void add_session_routes(std::vector<api_route>& out);
void add_flow_routes(std::vector<api_route>& out);
void add_report_routes(std::vector<api_route>& out);
void add_user_routes(std::vector<api_route>& out);
void add_admin_routes(std::vector<api_route>& out);
void add_ops_routes(std::vector<api_route>& out);
void add_usage_routes(std::vector<api_route>& out);
void add_notice_routes(std::vector<api_route>& out);
void add_audit_routes(std::vector<api_route>& out);

// -- helpers (api.cpp) ----------------------------------------------------------------------

/// The role matrix of product.md §6.
bool role_allows(wire::Role r, access a);
/// The user's role on an account (ROLE_UNSPECIFIED: none).
wire::Role role_on(const wire::User& u, std::string_view account_id);
/// Why the caller may not work in `k.account` now (terminated, or the client address is outside
/// its IP allowlist, which is audited); nullopt if they may.
std::optional<http::response> refuse_account(api_context& c, const call& k);

http::response json_response(int status, const json& body);
http::response no_content();
/// 500 with the error's text (storage or broker failures).
http::response internal(const caf::error& e);

/// Field-level validation problems, answered together as 400 invalid_input.
struct problems {
  json list = json::array();
  void add(const std::string& field, const std::string& code, const std::string& message) {
    list.push_back({{"field", field}, {"code", code}, {"message", message}});
  }
  bool empty() const { return list.empty(); }
  /// 400 with the first problem's code and message and every problem in details.
  http::response response() const;
};

/// Reads an optional array of strings; a problem if present and not one.
std::vector<std::string> strings_field(const json& body, const std::string& name, problems& p);
/// Reads an optional string field; a problem if present and not a string.
std::optional<std::string> string_field(const json& j, const std::string& name, problems& p,
                                        bool required);

/// Read-modify-write of user `user_id` that loses no concurrent change (writer::update): `fn`
/// sees the current user (never a deleted one unless `include_deleted`, the operator's restore:
/// a deleted user stays deleted whatever else is under way) and returns false to leave it; it may
/// run more than once. The user as written, nullopt if there was none to change or `fn` left it.
caf::expected<std::optional<wire::User>> update_user(api_context& c, const std::string& user_id,
                                                     const std::function<bool(wire::User&)>& fn,
                                                     bool include_deleted = false);

/// Records by key, through the node's control state.
caf::expected<std::optional<wire::ControlRecord>> load(const api_context& c,
                                                       const std::string& key);

/// Japan-time text of a Unix time (YYYY/MM/DD HH:MM:SS); empty for 0.
std::string jst(int64_t unix_ms);
/// Role name as the API spells it.
std::string role_name(wire::Role r);
std::optional<wire::Role> role_from(std::string_view name);
/// The user as the API shows it (never the hash).
json user_json(const wire::User& u);
/// The user's accounts with names and roles (for the session and account selection).
json accounts_json(const api_context& c, const wire::User& u);
/// Sets a new temporary password on `u` (hash, 14-day lifetime); returns it in clear for the
/// mail. The caller writes the user, then calls send_temporary_password. Nothing (and `u` as it
/// was) if hashing failed: the request fails rather than store an empty password.
std::optional<std::string> set_temporary_password(wire::User& u, hash_cost cost, int64_t now_ms);
using connectors::smtp::mail_outcome;
/// Mails the temporary password.
mail_outcome send_temporary_password(const api_context& c, const wire::User& u,
                                     const std::string& pw);
/// Says in `out` what became of a mail: `mail_sent` (true only if it went out) and `mail`
/// (sent, not_configured or failed).
void report_mail(json& out, mail_outcome m);
/// Sets a new reset code on `u` (hash, 1-hour lifetime); returns it in clear for the mail.
std::string set_reset_code(const api_context& c, wire::User& u);
mail_outcome send_reset_code(const api_context& c, const wire::User& u, const std::string& code);
/// Validates and creates a user of `enterprise` from a JSON body, mails the temporary password
/// and audits it (users and admin APIs). On the operator's call, a temporary password that no
/// mail carried is in the answer (`temporary_password`): the only way to it without SMTP.
http::response create_user(api_context& c, const call& k, const json& body,
                           const std::string& enterprise);
/// The fields of a user body (name, active, roles) plus `extra` (email when creating).
std::vector<std::string> user_fields(std::string_view extra = {});
/// An audit event of this request.
void audit(api_context& c, const call& k, std::string event, std::string detail = {});

}  // namespace ivrcast::control
