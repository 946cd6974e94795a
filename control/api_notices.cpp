// Fault, recovery and maintenance notices (product.md §7, procedures guide §4.3): the operator
// announces them, every affected contact gets the guide's mail once, and the portal shows them.

#include "control/api_internal.hpp"
#include "control/notice_mailer.hpp"
#include "control/notices.hpp"
#include "sms/log_csv.hpp"
#include "storage/control_state.hpp"

namespace ivrcast::control {
namespace {

constexpr size_t max_history = 100;

json notice_json(const wire::Notice& n, int64_t now) {
  json accounts = json::array();
  for (const auto& a : n.account_ids())
    accounts.push_back(a);
  json out{{"notice_id", n.notice_id()},
           {"kind", n.kind() == wire::Notice::FAULT ? "fault" : "maintenance"},
           {"impact", n.impact()},
           {"starts_at", jst(n.starts_at_ms())},
           {"ends_at", jst(n.ends_at_ms())},
           {"phase", name_of(phase(n, now))},
           {"account_ids", accounts},
           {"short_notice", n.short_notice()},
           {"created_at", jst(n.created_at_ms())}};
  if (n.kind() == wire::Notice::MAINTENANCE)
    out["window"] = maintenance_window(n.starts_at_ms(), n.ends_at_ms());
  if (!n.recovery_impact().empty())
    out["recovery_impact"] = n.recovery_impact();
  return out;
}

/// Every record under `prefix`, as `part` picks it out of the ControlRecord.
template <class T, class Part>
caf::expected<std::vector<T>> all_of(const api_context& c, std::string_view prefix, Part part) {
  std::vector<T> out;
  auto ok = c.deps.state->scan(prefix, [&](std::string_view, const wire::ControlRecord& r) {
    out.push_back(part(r));
    return true;
  });
  if (!ok)
    return std::move(ok.error());
  return out;
}

/// Every notice, newest start first.
caf::expected<std::vector<wire::Notice>> all_notices(const api_context& c) {
  auto out = all_of<wire::Notice>(c, "notice/", [](const auto& r) { return r.notice(); });
  if (out)
    std::sort(out->begin(), out->end(), [](const wire::Notice& a, const wire::Notice& b) {
      return a.starts_at_ms() > b.starts_at_ms();
    });
  return out;
}

caf::expected<std::vector<wire::Account>> all_accounts(const api_context& c) {
  return all_of<wire::Account>(c, "account/", [](const auto& r) { return r.account(); });
}

/// A Japan-time field of the body ("YYYY-MM-DDTHH:MM"); 0 if absent.
int64_t time_field(const json& body, const std::string& name, problems& p, bool required) {
  auto text = string_field(body, name, p, required);
  if (!text)
    return 0;
  auto ms = sms::parse_jst(*text);
  if (!ms) {
    p.add(name, "bad_date", "'" + *text + "' is not a Japan time (YYYY-MM-DDTHH:MM)");
    return 0;
  }
  return *ms;
}

/// The notice's mails to every recipient of `e`, as records to write with it.
caf::expected<std::vector<change>> mails_of(const api_context& c, const wire::Notice& n,
                                            notice_event e) {
  auto accounts = all_accounts(c);
  if (!accounts)
    return std::move(accounts.error());
  std::vector<change> out;
  for (const auto& r : recipients(n, e, *accounts)) {
    wire::ControlRecord rec;
    auto& m = *rec.mutable_notice_mail();
    m.set_mail_id(mail_id(n, e, r.email));
    m.set_notice_id(n.notice_id());
    m.set_event(std::string{name_of(e)});
    m.set_account_id(r.account_id);
    m.set_email(r.email);
    m.set_name(r.name);
    m.set_state(wire::NoticeMail::PENDING);
    m.set_at_ms(c.now());
    out.push_back({storage::control_state::key_of(rec), std::move(rec)});
  }
  return out;
}

/// Counts of the notice's mails by state.
json mail_counts(const api_context& c, const std::string& notice_id) {
  std::map<std::string, int> counts;
  std::vector<json> doubtful;
  auto ok = c.deps.state->scan(
      "mail/" + notice_id + "/", [&](std::string_view, const wire::ControlRecord& r) {
        const auto& m = r.notice_mail();
        auto state = wire::NoticeMail::State_Name(m.state());
        std::transform(state.begin(), state.end(), state.begin(),
                       [](char ch) { return static_cast<char>(std::tolower(ch)); });
        ++counts[m.event() + "." + state];
        if (m.state() == wire::NoticeMail::IN_DOUBT || m.state() == wire::NoticeMail::FAILED)
          doubtful.push_back(
              {{"email", m.email()}, {"event", m.event()}, {"state", state}, {"error", m.error()}});
        return true;
      });
  if (!ok)
    return {{"error", describe(ok.error())}};
  return {{"counts", counts}, {"attention", doubtful}};
}

http::response create_notice(api_context& c, call& k) {
  problems p;
  wire::Notice n;
  auto kind = string_field(k.body, "kind", p, true);
  if (kind && *kind != "fault" && *kind != "maintenance")
    p.add("kind", "bad_kind", "must be fault or maintenance");
  n.set_kind(kind && *kind == "maintenance" ? wire::Notice::MAINTENANCE : wire::Notice::FAULT);
  n.set_impact(string_field(k.body, "impact", p, true).value_or(""));
  n.set_starts_at_ms(time_field(k.body, "starts_at", p, true));
  n.set_ends_at_ms(time_field(k.body, "ends_at", p, n.kind() == wire::Notice::MAINTENANCE));
  for (const auto& a : strings_field(k.body, "account_ids", p)) {
    auto acc = load(c, "account/" + a);
    if (!acc)
      return internal(acc.error());
    if (!*acc)
      p.add("account_ids", "unknown_account", "no account '" + a + "'");
    n.add_account_ids(a);
  }
  if (auto it = k.body.find("short_notice"); it != k.body.end()) {
    if (!it->is_boolean())
      p.add("short_notice", "not_a_boolean", "must be true or false");
    else
      n.set_short_notice(it->get<bool>());
  }
  if (p.empty())
    for (const auto& [field, why] : notice_problems(n, c.now()))
      p.add(field, "bad_notice", why);
  if (!p.empty())
    return p.response();
  n.set_notice_id("n-" + random_hex(6));
  n.set_created_at_ms(c.now());
  auto event = n.kind() == wire::Notice::FAULT ? notice_event::fault : notice_event::maintenance;
  auto mails = mails_of(c, n, event);
  if (!mails)
    return internal(mails.error());
  std::vector<change> changes;
  wire::ControlRecord rec;
  *rec.mutable_notice() = n;
  changes.push_back({storage::control_state::key_of(rec), rec});
  auto count = mails->size();
  for (auto& m : *mails)
    changes.push_back(std::move(m));
  // The notice and its mails in one write: no node sees a notice without its mails.
  if (auto ok = c.out->write(changes); !ok)
    return internal(ok.error());
  if (c.notices)
    c.notices->wake();
  audit(c, k, "notice_" + std::string{name_of(event)}, n.notice_id());
  auto out = notice_json(n, c.now());
  out["mails"] = count;
  return json_response(201, out);
}

http::response recover_notice(api_context& c, call& k) {
  problems p;
  auto ended = time_field(k.body, "ended_at", p, true);
  auto impact = string_field(k.body, "impact", p, false);
  if (!p.empty())
    return p.response();
  auto id = k.req.param("notice_id");
  std::optional<std::string> refusal;
  wire::Notice recovered;
  auto done = c.out->update("notice/" + id, [&](std::optional<wire::ControlRecord>& cur) {
    refusal.reset();
    if (!cur) {
      refusal = "no notice '" + id + "'";
      return mutation_result::leave;
    }
    auto& n = *cur->mutable_notice();
    if (n.kind() != wire::Notice::FAULT)
      refusal = "only a fault recovers";
    else if (n.ends_at_ms() != 0)
      refusal = "recovered already at " + jst(n.ends_at_ms());
    else if (ended < n.starts_at_ms())
      refusal = "ended_at is before the fault started";
    if (refusal)
      return mutation_result::leave;
    n.set_ends_at_ms(ended);
    n.set_recovery_impact(impact.value_or(""));
    recovered = n;
    return mutation_result::write;
  });
  if (!done)
    return internal(done.error());
  if (!*done)
    return http::error(refusal && refusal->starts_with("no notice") ? 404 : 409, "notice_refused",
                       refusal.value_or("the notice changed meanwhile"));
  auto mails = mails_of(c, recovered, notice_event::recovery);
  if (!mails)
    return internal(mails.error());
  if (auto ok = c.out->write(*mails); !ok)
    return internal(ok.error());
  if (c.notices)
    c.notices->wake();
  audit(c, k, "notice_recovery", id);
  auto out = notice_json(recovered, c.now());
  out["mails"] = mails->size();
  return json_response(200, out);
}

http::response list_notices(api_context& c, call&) {
  auto notices = all_notices(c);
  if (!notices)
    return internal(notices.error());
  json list = json::array();
  for (const auto& n : *notices) {
    auto j = notice_json(n, c.now());
    j["mail"] = mail_counts(c, n.notice_id());
    list.push_back(std::move(j));
  }
  return json_response(200, {{"notices", list}});
}

/// The chosen account's notices: what the banner shows now, and the history.
http::response account_notices(api_context& c, call& k) {
  auto notices = all_notices(c);
  if (!notices)
    return internal(notices.error());
  json current = json::array();
  json history = json::array();
  for (const auto& n : *notices) {
    if (n.account_ids_size() > 0 && std::find(n.account_ids().begin(), n.account_ids().end(),
                                              k.account.account_id()) == n.account_ids().end())
      continue;
    auto j = notice_json(n, c.now());
    j.erase("account_ids");
    if (phase(n, c.now()) != notice_phase::over)
      current.push_back(j);
    if (history.size() < max_history)
      history.push_back(std::move(j));
  }
  return json_response(200, {{"current", current}, {"history", history}});
}

}  // namespace

void add_notice_routes(std::vector<api_route>& out) {
  using j = body_kind;
  out.push_back({{"GET", "/v1/notices", access::account}, account_notices});
  out.push_back({{"GET", "/v1/admin/notices", access::operator_only}, list_notices});
  out.push_back({{"POST",
                  "/v1/admin/notices",
                  access::operator_only,
                  j::json,
                  {"kind", "impact", "starts_at", "ends_at", "account_ids", "short_notice"}},
                 create_notice});
  out.push_back({{"POST",
                  "/v1/admin/notices/{notice_id}/recover",
                  access::operator_only,
                  j::json,
                  {"ended_at", "impact"}},
                 recover_notice});
}

}  // namespace ivrcast::control
