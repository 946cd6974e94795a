#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <caf/expected.hpp>

#include "config/settings.hpp"
#include "metrics/health.hpp"

namespace ivrcast::connectors::kafka {
class bus;
}
namespace ivrcast::metrics {
class registry;
}
namespace ivrcast::storage {
class control_state;
class delivery_log;
class call_counts;
class usage;
class audit_log;
}  // namespace ivrcast::storage

namespace ivrcast::control {

/// What a route requires of its caller.
enum class access : uint8_t {
  anyone,         // no login (login itself, password reset, short links, audio for gateways)
  session,        // logged in, even with a password that must be changed first
  account,        // logged in with an account chosen; every role
  flows_edit,     // edit, save and delete flows: every role
  flows_publish,  // 企業管理者, 上位管理者, 管理者
  logs_view,      // delivery logs and call counts: 企業管理者, 上位管理者
  users_manage,   // users: 企業管理者
  operator_only,  // the operator's admin API (bearer token)
};

/// What a route takes as its request body. Anything else is refused before the handler runs:
/// another content type with 415, a JSON field the route does not read with 400 naming it.
enum class body_kind : uint8_t {
  none,  // no body (an empty one, or `{}` as application/json)
  json,  // an application/json object of `fields`
  wav,   // audio/wav bytes
};

/// A route of the API as documented in docs/openapi.yaml.
struct route_info {
  std::string method;
  std::string pattern;
  access need;
  body_kind body = body_kind::none;
  /// json: the fields the route reads; a nested one as "contacts[].email" (in the objects of
  /// an array) or "steps.*.text" (in the objects under any key of an object).
  std::vector<std::string> fields = {};
  /// The query parameters the route reads: on the API's routes (/v1/…) any other is refused,
  /// so that a misspelt filter never silently widens a search.
  std::vector<std::string> query = {};
};

/// What the API reads and writes; everything outlives the API.
struct api_deps {
  const config::settings* settings = nullptr;
  const storage::control_state* state = nullptr;
  const storage::delivery_log* log = nullptr;
  const storage::call_counts* counts = nullptr;
  const storage::usage* usage = nullptr;
  const storage::audit_log* audit = nullptr;
  const connectors::kafka::bus* bus = nullptr;
  std::function<int64_t()> now_ms;  // wall clock by default; tests move time
  /// The node's metrics, served on /metrics; the API adds its own (HTTP requests, logins).
  metrics::registry* metrics = nullptr;
  /// What /readyz answers; empty: ready once the API runs.
  std::function<metrics::readiness()> readiness;
};

/// The control plane's HTTP API (v1, JSON): sessions and passwords, flows with draft and
/// publish, SMS settings, delivery log and CSV, call counts, users, the operator's admin API,
/// short links and guidance audio. Runs on its own HTTP worker threads.
class api {
 public:
  [[nodiscard]] static caf::expected<std::unique_ptr<api>> start(api_deps deps);
  ~api();
  api(const api&) = delete;
  api& operator=(const api&) = delete;

  int port() const;
  void stop();

  /// Every route with its access rule (the OpenAPI and role-matrix tests walk it).
  static std::vector<route_info> routes();

  struct impl;

 private:
  api() = default;
  std::unique_ptr<impl> impl_;
};

}  // namespace ivrcast::control
