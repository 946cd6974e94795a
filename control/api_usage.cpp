// Monthly usage for billing (product.md §7): an account's own for 企業管理者 and 上位管理者, every
// account's for the operator; JSON and CSV.

#include "control/api_internal.hpp"
#include "messages/clock.hpp"
#include "sms/carrier.hpp"
#include "sms/log_csv.hpp"
#include "sms/usage.hpp"
#include "storage/control_state.hpp"
#include "storage/usage.hpp"

namespace ivrcast::control {
namespace {

constexpr uint32_t max_months = 24;

struct month_range {
  uint32_t from = 0;  // YYYYMM
  uint32_t to = 0;
};

/// YYYYMM of "YYYY-MM", or nullopt.
std::optional<uint32_t> month_of(std::string_view text) {
  if (text.size() != 7 || text[4] != '-')
    return std::nullopt;
  uint32_t v = 0;
  for (size_t i : {0, 1, 2, 3, 5, 6}) {
    if (text[i] < '0' || text[i] > '9')
      return std::nullopt;
    v = v * 10 + static_cast<uint32_t>(text[i] - '0');
  }
  auto m = v % 100;
  if (m < 1 || m > 12 || v / 100 < 2000)
    return std::nullopt;
  return v;
}

std::string month_text(uint32_t m) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04u-%02u", m / 100, m % 100);
  return buf;
}

uint32_t months_between(uint32_t from, uint32_t to) {
  return (to / 100 - from / 100) * 12 + to % 100 - from % 100 + 1;
}

/// from/to as YYYY-MM (Japan-time calendar months), both optional: this month by default.
std::optional<month_range> read_months(const api_context& c, const call& k, problems& p) {
  auto now = sms::jst_month(c.now());
  month_range r{now, now};
  for (auto [name, into] : {std::pair{"from", &r.from}, std::pair{"to", &r.to}}) {
    auto text = k.req.query_value(name);
    if (text.empty())
      continue;
    if (auto m = month_of(text))
      *into = *m;
    else
      p.add(name, "bad_month", "'" + text + "' is not a month (YYYY-MM)");
  }
  if (k.req.query_value("to").empty() && !k.req.query_value("from").empty())
    r.to = std::max(r.from, now);
  if (p.empty() && r.from > r.to)
    p.add("to", "bad_range", "must not be before from");
  else if (p.empty() && months_between(r.from, r.to) > max_months)
    p.add("from", "out_of_range", "at most 24 months at a time");
  if (!p.empty())
    return std::nullopt;
  return r;
}

json row_json(const storage::usage_row& r) {
  return {{"month", month_text(r.month)},
          {"carrier", sms::key(r.via)},
          {"carrier_name", sms::display_name(r.via)},
          {"messages", r.messages},
          {"segments", r.segments},
          {"parts", r.parts}};
}

json totals_json(const std::vector<storage::usage_row>& rows) {
  uint64_t m = 0, s = 0, p = 0;
  for (const auto& r : rows) {
    m += r.messages;
    s += r.segments;
    p += r.parts;
  }
  return {{"messages", m}, {"segments", s}, {"parts", p}};
}

std::string account_name(const api_context& c, const std::string& id) {
  auto r = load(c, "account/" + id);
  return r && *r ? (*r)->account().name() : std::string{};
}

/// The CSV of `rows` (UTF-8 with BOM, CRLF): 年月, [アカウントID, アカウント名,] キャリア, 通数,
/// 文字分割数, 送信パート数.
http::response csv(const api_context& c, const std::vector<storage::usage_row>& rows,
                   bool with_account, const std::string& file) {
  std::string out = "\xEF\xBB\xBF";
  std::map<std::string, std::string> names;  // one control-state read per account
  out += with_account ? "年月,アカウントID,アカウント名,キャリア,通数,文字分割数,送信パート数\r\n"
                      : "年月,キャリア,通数,文字分割数,送信パート数\r\n";
  for (const auto& r : rows) {
    out += month_text(r.month);
    out += ',';
    if (with_account) {
      sms::append_csv_text(out, r.account);
      out += ',';
      auto name = names.find(r.account);
      if (name == names.end())
        name = names.emplace(r.account, account_name(c, r.account)).first;
      sms::append_csv_text(out, name->second);
      out += ',';
    }
    sms::append_csv_field(out, sms::display_name(r.via));
    out += ',' + std::to_string(r.messages) + ',' + std::to_string(r.segments) + ',' +
           std::to_string(r.parts) + "\r\n";
  }
  http::response res;
  res.content_type = "text/csv; charset=UTF-8";
  res.body = std::move(out);
  res.headers.emplace_back("Content-Disposition", "attachment; filename=\"" + file + "\"");
  return res;
}

std::string file_name(std::string_view what, const month_range& r) {
  return std::string{what} + "-" + std::to_string(r.from) + "-" + std::to_string(r.to) + ".csv";
}

http::response account_usage(api_context& c, call& k, bool as_csv) {
  problems p;
  auto range = read_months(c, k, p);
  if (!range)
    return p.response();
  auto rows = c.deps.usage->of_account(k.account.account_id(), range->from, range->to);
  if (!rows)
    return internal(rows.error());
  if (as_csv) {
    audit(c, k, "usage_downloaded", month_text(range->from) + ".." + month_text(range->to));
    return csv(c, *rows, false, file_name("usage-" + k.account.account_id(), *range));
  }
  json list = json::array();
  for (const auto& r : *rows)
    list.push_back(row_json(r));
  return json_response(200, {{"account_id", k.account.account_id()},
                             {"from", month_text(range->from)},
                             {"to", month_text(range->to)},
                             {"rows", list},
                             {"totals", totals_json(*rows)}});
}

http::response operator_usage(api_context& c, call& k, bool as_csv) {
  problems p;
  auto range = read_months(c, k, p);
  if (!range)
    return p.response();
  auto rows = c.deps.usage->all(range->from, range->to);
  if (!rows)
    return internal(rows.error());
  if (as_csv)
    return csv(c, *rows, true, file_name("usage", *range));
  json accounts = json::array();
  for (size_t i = 0; i < rows->size();) {
    auto j = i;
    std::vector<storage::usage_row> mine;
    json list = json::array();
    for (; j < rows->size() && (*rows)[j].account == (*rows)[i].account; ++j) {
      mine.push_back((*rows)[j]);
      list.push_back(row_json((*rows)[j]));
    }
    accounts.push_back({{"account_id", (*rows)[i].account},
                        {"account_name", account_name(c, (*rows)[i].account)},
                        {"rows", list},
                        {"totals", totals_json(mine)}});
    i = j;
  }
  return json_response(200, {{"from", month_text(range->from)},
                             {"to", month_text(range->to)},
                             {"accounts", accounts},
                             {"totals", totals_json(*rows)}});
}

}  // namespace

void add_usage_routes(std::vector<api_route>& out) {
  const std::vector<std::string> months{"from", "to"};
  out.push_back({{"GET", "/v1/usage", access::logs_view, body_kind::none, {}, months},
                 [](api_context& c, call& k) { return account_usage(c, k, false); }});
  out.push_back({{"GET", "/v1/usage.csv", access::logs_view, body_kind::none, {}, months},
                 [](api_context& c, call& k) { return account_usage(c, k, true); }});
  out.push_back({{"GET", "/v1/admin/usage", access::operator_only, body_kind::none, {}, months},
                 [](api_context& c, call& k) { return operator_usage(c, k, false); }});
  out.push_back({{"GET", "/v1/admin/usage.csv", access::operator_only, body_kind::none, {}, months},
                 [](api_context& c, call& k) { return operator_usage(c, k, true); }});
}

}  // namespace ivrcast::control
