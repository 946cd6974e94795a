// Delivery log search and CSV download (product.md §4), call counts (§5), short links (§2.3).

#include "control/api_internal.hpp"
#include "control/log_cursor.hpp"
#include "messages/flows.hpp"
#include "messages/phone.hpp"
#include "messages/text.hpp"
#include "sms/carrier.hpp"
#include "sms/delivery_status.hpp"
#include "sms/log_csv.hpp"
#include "sms/log_filter.hpp"
#include "storage/call_counts.hpp"
#include "storage/delivery_log.hpp"
#include "storage/log_export.hpp"

namespace ivrcast::control {
namespace {

constexpr int64_t search_window_ms = 92 * day_ms;  // "within the last 3 months"
constexpr size_t max_screen_rows = 1000;

constexpr size_t max_rows_read_per_page = 20000;  // a page answers in bounded time, filters or not

/// A delivery-log search as the API takes it: the range and destination choose the index the
/// scan reads; the rest filter its rows.
struct log_query {
  int64_t from_ms = 0;
  int64_t to_ms = 0;
  std::string destination;  // national form; empty: any
  sms::log_filter filter;
  bool newest_first = false;

  storage::delivery_log::account_scan scan(std::string_view account) const {
    storage::delivery_log::account_scan q;
    q.account = account;
    q.from_ms = from_ms;
    q.to_ms = to_ms;
    q.destination = destination;
    q.incoming_number = filter.incoming_number;
    q.newest_first = newest_first;
    return q;
  }

  /// What a page token is bound to: the account and every parameter but the page's size.
  std::string binding(std::string_view account) const {
    std::string out{account};
    for (const auto& part :
         {std::to_string(from_ms), std::to_string(to_ms), destination, filter.incoming_number,
          std::to_string(filter.statuses), filter.campaign_id,
          std::to_string(filter.arrived ? static_cast<int>(*filter.arrived) : -1),
          std::string{newest_first ? "newest" : "oldest"}}) {
      out += '\n';
      out += part;
    }
    return out;
  }
};

/// A phone-number parameter in national form; a problem if it is not one.
std::string read_number(const call& k, const std::string& name, problems& p) {
  auto given = k.req.query_value(name);
  if (given.empty())
    return {};
  auto national = messages::normalise_number(given);
  if (national.size() < 10 || national.size() > 11 || national[0] != '0')
    p.add(name, "bad_phone_number", "'" + given + "' is not a phone number (+81… or 0… form)");
  return national;
}

/// Reads the range (Japan time), destination, filters and order (`newest_first` when the query
/// names none); problems name the bad parameter.
std::optional<log_query> read_log_query(const api_context& c, const call& k, problems& p,
                                        bool newest_first) {
  log_query q;
  q.newest_first = newest_first;
  auto from = k.req.query_value("from"), to = k.req.query_value("to");
  auto f = sms::parse_jst(from), t = sms::parse_jst(to);
  if (from.empty())
    p.add("from", "required", "give the start of the send-scheduled time range");
  else if (!f)
    p.add("from", "bad_date", "'" + from + "' is not a date (YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS])");
  if (to.empty())
    p.add("to", "required", "give the end of the send-scheduled time range");
  else if (!t)
    p.add("to", "bad_date", "'" + to + "' is not a date (YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS])");
  if (f && t && *f >= *t)
    p.add("to", "bad_range", "must be later than from");
  if (f && *f < c.now() - search_window_ms)
    p.add("from", "out_of_range", "the log can be searched over the last 3 months only");
  q.destination = read_number(k, "destination", p);
  q.filter.incoming_number = read_number(k, "incoming_number", p);
  if (auto statuses = k.req.query_value("status"); !statuses.empty()) {
    std::string_view rest{statuses};
    while (!rest.empty()) {
      auto comma = rest.find(',');
      auto name = rest.substr(0, comma);
      rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
      if (auto st = sms::status_named(name))
        q.filter.want(*st);
      else
        p.add("status", "bad_status",
              "'" + std::string{name} +
                  "' is not a status (preparing, sent, awaiting, delivered, failed, "
                  "internal_error, carrier_error, partially_failed, undetermined, retry)");
    }
  }
  if (auto campaign = k.req.query_value("campaign"); !campaign.empty()) {
    // 案件ID, or 案件名 (IVRCampaign_<id>) as the screen and CSV show it
    std::string_view id{campaign};
    if (id.starts_with(messages::campaign_prefix))
      id.remove_prefix(messages::campaign_prefix.size());
    if (id.empty() || id.size() > 100)
      p.add("campaign", "bad_campaign", "give a 案件ID or 案件名 of at most 100 characters");
    q.filter.campaign_id = std::string{id};
  }
  if (auto arrival = k.req.query_value("arrival"); !arrival.empty()) {
    q.filter.arrived = sms::arrival_named(arrival);
    if (!q.filter.arrived)
      p.add("arrival", "bad_arrival", "must be delivered, undelivered or pending");
  }
  if (auto order = k.req.query_value("order"); order == "oldest" || order == "newest")
    q.newest_first = order == "newest";
  else if (!order.empty())
    p.add("order", "bad_order", "must be newest or oldest");
  if (!p.empty())
    return std::nullopt;
  q.from_ms = *f;
  q.to_ms = *t;
  return q;
}

json row_json(const sms::log_row& r) {
  return {{"message_id", r.message_id},
          {"job_id", r.job_id},
          {"kind", "送信"},
          {"scheduled_at", jst(r.requested_at_ms)},
          {"sent_at", jst(r.sent_at_ms)},
          {"incoming_number", sms::international(r.incoming_number)},
          {"destination", sms::international(r.destination)},
          {"carrier", r.via && r.status == sms::delivery_status::delivered
                          ? std::string{sms::display_name(*r.via)}
                          : std::string{"不明"}},
          {"channel", "SMS"},
          {"campaign_id", r.flow_version_id},
          {"campaign", messages::campaign_name(r.flow_version_id)},
          {"status", std::string{sms::label(r.status)}},
          {"status_code", std::string{sms::metric_name(r.status)}},
          {"arrival", std::string{sms::arrival_label(r.status)}},
          {"opened_at", jst(r.opened_at_ms)}};
}

http::response search_log(api_context& c, call& k) {
  problems p;
  auto q = read_log_query(c, k, p, true);  // the screen shows the newest first
  size_t limit = 100;
  if (auto l = k.req.query_value("limit"); !l.empty()) {
    if (!all_digits(l) || l.size() > 4 || std::stoul(l) == 0 || std::stoul(l) > max_screen_rows)
      p.add("limit", "bad_limit", "must be 1 to 1000");
    else
      limit = std::stoul(l);
  }
  if (!p.empty())
    return p.response();
  const auto& account = k.account.account_id();
  auto binding = q->binding(account);
  const auto& key = k.sess->token;  // logs_view routes always have a session
  std::optional<storage::delivery_log::position> after;
  if (auto token = k.req.query_value("next"); !token.empty()) {
    after = decode_log_cursor(token, binding, key);
    if (!after) {
      p.add("next", "bad_token",
            "not a page token of this search in this session: start again without it");
      return p.response();
    }
  }
  auto scan = q->scan(account);
  scan.after = after ? &*after : nullptr;
  json rows = json::array();
  bool full = false;  // a row beyond the page exists
  size_t read = 0;
  storage::delivery_log::position last;  // the last row the page took or passed over
  auto scanned = c.deps.log->scan_account(scan, [&](const sms::log_row& r) {
    if (q->filter.matches(r)) {
      if (rows.size() == limit) {
        full = true;
        return false;
      }
      rows.push_back(row_json(r));
    }
    last.requested_at_ms = r.requested_at_ms;
    last.message_id = r.message_id;
    return ++read < max_rows_read_per_page;
  });
  if (!scanned)
    return internal(scanned.error());
  // More when a matching row is left, or the page stopped reading before the range's end.
  bool more = full || read == max_rows_read_per_page;
  json next = more ? json(encode_log_cursor(last, binding, key)) : json(nullptr);
  return json_response(200, {{"rows", rows}, {"more", more}, {"next", next}});
}

/// yyyymmdd of a Unix time in Japan time.
std::string jst_date(int64_t unix_ms) {
  auto d = storage::jst_day(unix_ms);
  return std::to_string(d);
}

/// The CSV's file name: 配信ログ_<from>-<to>.csv in Japan-time dates (the end exclusive, as
/// asked: 12/01 to 12/02 reads 20261201-20261202), with an ASCII name for old clients.
std::string csv_disposition(int64_t from_ms, int64_t to_ms) {
  auto dates = jst_date(from_ms) + "-" + jst_date(to_ms);
  // 配信ログ_ percent-encoded (RFC 5987)
  return "attachment; filename=\"delivery-log_" + dates +
         ".csv\"; filename*=UTF-8''%E9%85%8D%E4%BF%A1%E3%83%AD%E3%82%B0_" + dates + ".csv";
}

http::response download_log(api_context& c, call& k) {
  problems p;
  auto q = read_log_query(c, k, p, false);  // a file reads oldest first
  auto enc_text = k.req.query_value("encoding");
  auto enc = sms::csv_encoding::utf8_bom;
  if (enc_text == "shift_jis")
    enc = sms::csv_encoding::shift_jis;
  else if (!enc_text.empty() && enc_text != "utf-8")
    p.add("encoding", "bad_encoding", "must be utf-8 or shift_jis");
  if (!p.empty())
    return p.response();
  if (enc == sms::csv_encoding::shift_jis && !sms::shift_jis_available())
    return http::error(503, "encoding_unavailable",
                       "this server cannot write Shift_JIS (iconv CP932); ask for utf-8");
  audit(c, k, "log_downloaded");
  http::response r;
  r.content_type = enc == sms::csv_encoding::shift_jis ? "text/csv; charset=Shift_JIS"
                                                       : "text/csv; charset=UTF-8";
  r.headers.emplace_back("Content-Disposition", csv_disposition(q->from_ms, q->to_ms));
  const auto* log = c.deps.log;
  auto account = k.account.account_id();
  auto query = *q;
  r.stream = [log, account, query, enc](const std::function<bool(std::string_view)>& sink) {
    auto rows = storage::export_csv(*log, query.scan(account), query.filter, enc, sink);
    if (!rows)
      spdlog::warn("event=csv_stream_ended error=\"{}\"", describe(rows.error()));
    return static_cast<bool>(rows);
  };
  return r;
}

/// yyyymmdd of a Japan-time date text, or nullopt.
std::optional<uint32_t> day_of(const std::string& text) {
  auto ms = sms::parse_jst(text);
  if (!ms || text.size() != 10)
    return std::nullopt;
  return storage::jst_day(*ms);
}

std::string day_text(uint32_t d) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04u-%02u-%02u", d / 10000, d / 100 % 100, d % 100);
  return buf;
}

http::response call_counts(api_context& c, call& k) {
  problems p;
  auto from_text = k.req.query_value("from"), to_text = k.req.query_value("to");
  auto from = day_of(from_text), to = day_of(to_text);
  if (!from)
    p.add("from", from_text.empty() ? "required" : "bad_date", "give a day as YYYY-MM-DD");
  if (!to)
    p.add("to", to_text.empty() ? "required" : "bad_date", "give a day as YYYY-MM-DD");
  auto today = storage::jst_day(c.now());
  if (from && to) {
    auto f_ms = *sms::parse_jst(from_text), t_ms = *sms::parse_jst(to_text);
    if (*from > *to)
      p.add("to", "bad_range", "must not be before from");
    else if (*to >= today)
      p.add("to", "out_of_range", "whole days up to yesterday only");
    else if (t_ms - f_ms >= search_window_ms || f_ms < c.now() - search_window_ms - day_ms)
      p.add("from", "out_of_range", "at most 3 months, within the last 3 months");
  }
  std::vector<std::string> numbers{k.account.incoming_numbers().begin(),
                                   k.account.incoming_numbers().end()};
  if (auto n = k.req.query_value("number"); !n.empty()) {
    auto national = messages::normalise_number(n);
    if (std::find(numbers.begin(), numbers.end(), national) == numbers.end())
      p.add("number", "unknown_number", "'" + n + "' is not an incoming number of this account");
    numbers = {national};
  }
  if (!p.empty())
    return p.response();
  json rows = json::array();
  for (const auto& n : numbers) {
    auto days = c.deps.counts->days(k.account.account_id(), n, *from, *to);
    if (!days)
      return internal(days.error());
    uint64_t total = 0;
    json per_day = json::array();
    for (const auto& [d, count] : *days) {
      total += count;
      per_day.push_back({{"date", day_text(d)}, {"count", count}});
    }
    rows.push_back(
        {{"incoming_number", sms::international(n)}, {"count", total}, {"days", per_day}});
  }
  return json_response(200, {{"from", day_text(*from)}, {"to", day_text(*to)}, {"rows", rows}});
}

http::response short_link(api_context& c, call& k) {
  auto code = k.req.param("code");
  if (code.size() != 8 || !std::all_of(code.begin(), code.end(), [](char ch) {
        return std::isalnum(static_cast<unsigned char>(ch)) != 0;
      }))
    return http::error(404, "unknown_link", "no such link");
  auto target = c.deps.log->short_link(code);
  if (!target)
    return internal(target.error());
  if (!*target)
    return http::error(404, "unknown_link", "no such link");
  // The first open is what the log keeps; later OPENED events are ignored by the projection.
  auto row = c.deps.log->find((*target)->message_id);
  if (row && *row && (*row)->opened_at_ms == 0) {
    wire::StatusEvent ev;
    ev.set_kind(wire::StatusEvent::OPENED);
    ev.set_message_id((*target)->message_id);
    ev.set_at_ms(c.now());
    if (auto ok = c.out->status(ev); !ok)
      spdlog::warn("event=open_not_recorded code={} error=\"{}\"", code, describe(ok.error()));
  }
  http::response r;
  r.status = 302;
  r.content_type = "text/plain";
  r.body = "Found";
  r.headers.emplace_back("Location", (*target)->url);
  r.headers.emplace_back("Cache-Control", "no-store");
  return r;
}

}  // namespace

void add_report_routes(std::vector<api_route>& out) {
  const std::vector<std::string> log_query{"from",   "to",       "destination", "incoming_number",
                                           "status", "campaign", "arrival",     "order"};
  auto page = log_query, file = log_query;
  page.insert(page.end(), {"limit", "next"});
  file.push_back("encoding");
  out.push_back(
      {{"GET", "/v1/delivery-log", access::logs_view, body_kind::none, {}, page}, search_log});
  out.push_back({{"GET", "/v1/delivery-log.csv", access::logs_view, body_kind::none, {}, file},
                 download_log});
  out.push_back(
      {{"GET", "/v1/call-counts", access::logs_view, body_kind::none, {}, {"from", "to", "number"}},
       call_counts});
  out.push_back({{"GET", "/{code}", access::anyone}, short_link});
}

}  // namespace ivrcast::control
