// The audit trail (logins, lockouts, IP refusals, downloads, publishes, user changes): an
// enterprise's own for its 企業管理者, everyone's for the operator.

#include "control/api_internal.hpp"
#include "messages/text.hpp"
#include "sms/log_csv.hpp"
#include "storage/audit_log.hpp"

namespace ivrcast::control {
namespace {

constexpr size_t max_rows = 500;

/// Filters of the query string; problems name the bad parameter.
std::optional<storage::audit_query> read_query(const call& k, problems& p) {
  storage::audit_query q;
  for (auto [name, into] : {std::pair{"from", &q.from_ms}, std::pair{"to", &q.to_ms}}) {
    auto text = k.req.query_value(name);
    if (text.empty())
      continue;
    if (auto ms = sms::parse_jst(text))
      *into = *ms;
    else
      p.add(name, "bad_date", "'" + text + "' is not a date (YYYY-MM-DD or YYYY-MM-DDTHH:MM)");
  }
  if (q.from_ms >= q.to_ms)
    p.add("to", "bad_range", "must be later than from");
  q.event = k.req.query_value("event");
  q.email = email_key(k.req.query_value("email"));
  if (auto l = k.req.query_value("limit"); !l.empty()) {
    if (!all_digits(l) || l.size() > 3 || std::stoul(l) == 0 || std::stoul(l) > max_rows)
      p.add("limit", "bad_limit", "must be 1 to 500");
    else
      q.limit = std::stoul(l);
  }
  if (!p.empty())
    return std::nullopt;
  return q;
}

http::response trail(api_context& c, const storage::audit_query& q, bool with_enterprise) {
  bool more = false;
  auto found = c.deps.audit->find(q, more);
  if (!found)
    return internal(found.error());
  json rows = json::array();
  for (const auto& e : *found) {
    json row{{"at", jst(e.at_ms())},   {"event", e.event()},           {"email", e.email()},
             {"user_id", e.user_id()}, {"account_id", e.account_id()}, {"ip", e.ip()},
             {"detail", e.detail()}};
    if (with_enterprise)
      row["enterprise_id"] = e.enterprise_id();
    rows.push_back(std::move(row));
  }
  return json_response(200, {{"rows", rows}, {"more", more}});
}

http::response enterprise_trail(api_context& c, call& k) {
  problems p;
  auto q = read_query(k, p);
  if (!q)
    return p.response();
  q->enterprise = k.user.enterprise_id();
  return trail(c, *q, false);
}

http::response operator_trail(api_context& c, call& k) {
  problems p;
  auto q = read_query(k, p);
  if (!q)
    return p.response();
  q->enterprise = k.req.query_value("enterprise_id");
  return trail(c, *q, true);
}

}  // namespace

void add_audit_routes(std::vector<api_route>& out) {
  const std::vector<std::string> filters{"from", "to", "event", "email", "limit"};
  auto with_enterprise = filters;
  with_enterprise.push_back("enterprise_id");
  out.push_back(
      {{"GET", "/v1/audit", access::users_manage, body_kind::none, {}, filters}, enterprise_trail});
  out.push_back(
      {{"GET", "/v1/admin/audit", access::operator_only, body_kind::none, {}, with_enterprise},
       operator_trail});
}

}  // namespace ivrcast::control
