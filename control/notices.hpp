#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "messages/control.pb.h"

namespace ivrcast::control {

/// The three mails of the procedures guide §4.3.
enum class notice_event : uint8_t { fault, recovery, maintenance };
std::string_view name_of(notice_event e);
std::optional<notice_event> notice_event_from(std::string_view name);

/// Planned maintenance is announced at least this long before it starts (guide §4.3: 7日前迄に
/// 通知); sooner needs the operator's explicit short_notice.
inline constexpr int64_t maintenance_notice_ms = 7LL * 24 * 3600 * 1000;

/// One mail to one contact.
struct recipient {
  std::string account_id;
  std::string email;  // trimmed, lower case
  std::string name;
};

/// Who gets the mail of `e`: the contacts of every affected active account (all active
/// accounts when the notice names none) whose purpose covers it (fault and recovery: "fault"
/// or "all"; maintenance: "maintenance" or "all"; an empty purpose counts as "all"). One mail
/// per address, the first account naming it.
std::vector<recipient> recipients(const wire::Notice& n, notice_event e,
                                  const std::vector<wire::Account>& accounts);

/// The mail's id: <notice>/<event>/<16 hex of the address' BLAKE2b>.
std::string mail_id(const wire::Notice& n, notice_event e, std::string_view email);

/// Japan time as the guide's mails write it: "2026年12月05日 19:00".
std::string jst_long(int64_t unix_ms);
/// The maintenance subject's window: "12月12日02:00～翌5:00" (the end's date only when it is
/// neither that day nor the next).
std::string maintenance_window(int64_t start_ms, int64_t end_ms);

/// The template's values for one mail: name, account, started, ended (継続中 while open),
/// window, impact, support (the reply address).
std::map<std::string, std::string> mail_values(const wire::Notice& n, notice_event e,
                                               const recipient& r, std::string_view support);

/// Why a notice cannot be announced as given (field, message), empty if it can. `now` is the
/// announcement's time.
std::vector<std::pair<std::string, std::string>> notice_problems(const wire::Notice& n,
                                                                 int64_t now_ms);

/// What the portal shows: a fault until recovered; a maintenance from its announcement until
/// its window ends.
enum class notice_phase : uint8_t { upcoming, ongoing, over };
notice_phase phase(const wire::Notice& n, int64_t now_ms);
std::string_view name_of(notice_phase p);

/// Mail claims. A pending mail, or a failed one whose pause is over (30 s × attempts, 5 at
/// most), may be claimed.
inline constexpr int max_mail_attempts = 5;
bool claimable(const wire::NoticeMail& m, int64_t now_ms);
/// A claim still SENDING after this long is in doubt (its node stopped mid-send).
inline constexpr int64_t claim_timeout_ms = 5 * 60 * 1000;
/// At a node's start: its own claims were cut short (in doubt); so are anyone's stale ones.
bool in_doubt_now(const wire::NoticeMail& m, std::string_view node, bool starting, int64_t now_ms);

}  // namespace ivrcast::control
