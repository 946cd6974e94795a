// What operations teams and orchestrators read: Prometheus metrics, liveness, readiness.
// Reserved paths: short links are 8-character codes, and literal routes win over "/{code}".

#include "control/api_internal.hpp"

namespace ivrcast::control {
namespace {

http::response metrics_text(api_context& c, call&) {
  http::response out;
  out.content_type = std::string{metrics::text_content_type};
  out.body = c.metrics->text();
  return out;
}

/// The process lives and serves HTTP: nothing else is asked, so a broker outage never gets a
/// node restarted.
http::response alive(api_context& c, call&) {
  return json_response(200, {{"status", "alive"}, {"node", c.settings().node.id}});
}

/// 503 unless ready. `?scope=core`: a degraded node (only carriers down) answers 200, still
/// naming them: what a load balancer in front of the portal asks, as it serves pages and short
/// links whatever the SMSCs do.
http::response ready(api_context& c, call& k) {
  if (!c.deps.readiness)
    return json_response(200, {{"status", "ready"}, {"failing", json::array()}});
  auto r = c.deps.readiness();
  bool core_only = k.req.query_value("scope") == "core";
  http::response out;
  out.status = r.ready() || (core_only && r.status == "degraded") ? 200 : 503;
  out.body = r.json();
  return out;
}

}  // namespace

void add_ops_routes(std::vector<api_route>& out) {
  out.push_back({{"GET", "/metrics", access::anyone}, metrics_text});
  out.push_back({{"GET", "/healthz", access::anyone}, alive});
  out.push_back({{"GET", "/readyz", access::anyone, body_kind::none, {}, {"scope"}}, ready});
}

}  // namespace ivrcast::control
