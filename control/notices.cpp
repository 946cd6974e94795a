#include "control/notices.hpp"

#include <algorithm>
#include <set>

#include "control/passwords.hpp"
#include "messages/clock.hpp"
#include "messages/text.hpp"

namespace ivrcast::control {
namespace {

bool covers(std::string_view purpose, notice_event e) {
  if (purpose.empty() || purpose == "all")
    return true;
  return e == notice_event::maintenance ? purpose == "maintenance" : purpose == "fault";
}

}  // namespace

std::string_view name_of(notice_event e) {
  switch (e) {
    case notice_event::fault:
      return "fault";
    case notice_event::recovery:
      return "recovery";
    case notice_event::maintenance:
      return "maintenance";
  }
  return "fault";
}

std::optional<notice_event> notice_event_from(std::string_view name) {
  for (auto e : {notice_event::fault, notice_event::recovery, notice_event::maintenance})
    if (name_of(e) == name)
      return e;
  return std::nullopt;
}

std::vector<recipient> recipients(const wire::Notice& n, notice_event e,
                                  const std::vector<wire::Account>& accounts) {
  std::vector<recipient> out;
  std::set<std::string> seen;
  for (const auto& a : accounts) {
    if (a.state() != wire::ACCOUNT_STATE_ACTIVE)
      continue;
    if (n.account_ids_size() > 0 && std::find(n.account_ids().begin(), n.account_ids().end(),
                                              a.account_id()) == n.account_ids().end())
      continue;
    for (const auto& c : a.contacts()) {
      auto email = email_key(c.email());
      if (email.empty() || !covers(c.purpose(), e) || !seen.insert(email).second)
        continue;
      out.push_back({a.account_id(), email, c.name()});
    }
  }
  return out;
}

std::string mail_id(const wire::Notice& n, notice_event e, std::string_view email) {
  return n.notice_id() + "/" + std::string{name_of(e)} + "/" + digest_hex(email).substr(0, 16);
}

std::string jst_long(int64_t unix_ms) {
  auto t = jst_civil(unix_ms);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d年%02d月%02d日 %02d:%02d", t.year, t.month, t.day, t.hour,
                t.minute);
  return buf;
}

std::string maintenance_window(int64_t start_ms, int64_t end_ms) {
  auto s = jst_civil(start_ms);
  auto e = jst_civil(end_ms);
  char buf[96];
  auto same_day = [](int64_t a_ms, int64_t b_ms) { return jst_day(a_ms) == jst_day(b_ms); };
  int n = std::snprintf(buf, sizeof buf, "%d月%d日%02d:%02d～", s.month, s.day, s.hour, s.minute);
  if (same_day(end_ms, start_ms))
    std::snprintf(buf + n, sizeof buf - static_cast<size_t>(n), "%d:%02d", e.hour, e.minute);
  else if (same_day(end_ms, start_ms + 24LL * 3600 * 1000))  // the day after the start
    std::snprintf(buf + n, sizeof buf - static_cast<size_t>(n), "翌%d:%02d", e.hour, e.minute);
  else
    std::snprintf(buf + n, sizeof buf - static_cast<size_t>(n), "%d月%d日%02d:%02d", e.month, e.day,
                  e.hour, e.minute);
  return buf;
}

std::map<std::string, std::string> mail_values(const wire::Notice& n, notice_event e,
                                               const recipient& r, std::string_view support) {
  std::map<std::string, std::string> v{
      {"name", r.name.empty() ? r.email : r.name},
      {"account", r.account_id},
      {"started", jst_long(n.starts_at_ms())},
      {"impact", e == notice_event::recovery && !n.recovery_impact().empty() ? n.recovery_impact()
                                                                             : n.impact()},
      {"support", std::string{support}},
  };
  if (n.kind() == wire::Notice::MAINTENANCE) {
    v["window"] = maintenance_window(n.starts_at_ms(), n.ends_at_ms());
    v["ended"] = jst_long(n.ends_at_ms());
  } else {
    v["ended"] = n.ends_at_ms() > 0 ? jst_long(n.ends_at_ms()) : "継続中";
  }
  return v;
}

std::vector<std::pair<std::string, std::string>> notice_problems(const wire::Notice& n,
                                                                 int64_t now_ms) {
  std::vector<std::pair<std::string, std::string>> out;
  if (n.impact().empty())
    out.emplace_back("impact", "describe what customers notice (影響内容)");
  else if (n.impact().size() > 2000)
    out.emplace_back("impact", "at most 2000 bytes");
  if (n.starts_at_ms() <= 0)
    out.emplace_back("starts_at", "required");
  if (n.kind() == wire::Notice::FAULT) {
    if (n.starts_at_ms() > now_ms + 5 * 60 * 1000)
      out.emplace_back("starts_at", "a fault has started: not later than now");
    if (n.ends_at_ms() != 0 && n.ends_at_ms() < n.starts_at_ms())
      out.emplace_back("ends_at", "must not be before starts_at");
  } else if (n.kind() == wire::Notice::MAINTENANCE) {
    if (n.ends_at_ms() <= n.starts_at_ms())
      out.emplace_back("ends_at", "must be after starts_at");
    if (n.starts_at_ms() > 0 && n.starts_at_ms() < now_ms)
      out.emplace_back("starts_at", "a planned maintenance starts in the future");
    else if (n.starts_at_ms() - now_ms < maintenance_notice_ms && !n.short_notice())
      out.emplace_back("starts_at",
                       "planned maintenance is announced at least 7 days ahead; set "
                       "short_notice for an urgent one");
  } else {
    out.emplace_back("kind", "must be fault or maintenance");
  }
  return out;
}

notice_phase phase(const wire::Notice& n, int64_t now_ms) {
  if (n.kind() == wire::Notice::FAULT)
    return n.ends_at_ms() == 0 ? notice_phase::ongoing : notice_phase::over;
  if (now_ms >= n.ends_at_ms())
    return notice_phase::over;
  return now_ms >= n.starts_at_ms() ? notice_phase::ongoing : notice_phase::upcoming;
}

std::string_view name_of(notice_phase p) {
  switch (p) {
    case notice_phase::upcoming:
      return "upcoming";
    case notice_phase::ongoing:
      return "ongoing";
    case notice_phase::over:
      return "over";
  }
  return "over";
}

bool claimable(const wire::NoticeMail& m, int64_t now_ms) {
  if (m.state() == wire::NoticeMail::PENDING)
    return true;
  return m.state() == wire::NoticeMail::FAILED && m.attempts() < max_mail_attempts &&
         now_ms >= m.at_ms() + 30'000LL * m.attempts();
}

bool in_doubt_now(const wire::NoticeMail& m, std::string_view node, bool starting, int64_t now_ms) {
  if (m.state() != wire::NoticeMail::SENDING)
    return false;
  return (starting && m.node() == node) || now_ms - m.at_ms() > claim_timeout_ms;
}

}  // namespace ivrcast::control
