// The text helpers every outside string passes through: phone numbers, CSV fields, Japan-time
// dates, URL detection and short links, UTF-16 conversion and carrier parts, the carrier
// tables, the delivery log's page tokens and filter names. The first byte picks the helper;
// each checks what it promises.

#include <string>

#include "control/log_cursor.hpp"
#include "messages/phone.hpp"
#include "messages/text.hpp"
#include "sms/carrier_directory.hpp"
#include "sms/log_csv.hpp"
#include "sms/log_filter.hpp"
#include "sms/segment_rules.hpp"
#include "sms/short_links.hpp"
#include "storage/keys.hpp"
#include "tests/fuzz/fuzz_support.hpp"

using namespace ivrcast;

namespace {

void phone(std::string_view in) {
  auto national = messages::normalise_number(in);
  if (national.empty())
    return;
  IVRCAST_FUZZ_CHECK(national[0] == '0' && all_digits(national));
  IVRCAST_FUZZ_CHECK(messages::normalise_number(national) == national);
  IVRCAST_FUZZ_CHECK(messages::mask(national).size() == national.size());
  auto intl = sms::international(national);
  IVRCAST_FUZZ_CHECK(intl.starts_with("+81") && intl.substr(3) == national.substr(1));
}

bool formula_start(char c) {
  return c == '=' || c == '+' || c == '-' || c == '@' || c == '\t' || c == '\r';
}

/// The field's text as a spreadsheet reads it back (RFC 4180).
std::string unquoted(std::string_view field) {
  if (field.empty() || field[0] != '"')
    return std::string{field};
  IVRCAST_FUZZ_CHECK(field.size() >= 2 && field.back() == '"');
  std::string out;
  for (size_t i = 1; i + 1 < field.size(); ++i) {
    out += field[i];
    if (field[i] == '"') {
      IVRCAST_FUZZ_CHECK(field[i + 1] == '"');
      ++i;
    }
  }
  return out;
}

void csv(std::string_view in) {
  std::string field;
  sms::append_csv_field(field, in);
  IVRCAST_FUZZ_CHECK(unquoted(field) == in);
  std::string text;
  sms::append_csv_text(text, in);
  auto shown = unquoted(text);
  IVRCAST_FUZZ_CHECK(shown.empty() || !formula_start(shown[0]));
  IVRCAST_FUZZ_CHECK(shown == in || shown == "'" + std::string{in});
}

void dates(std::string_view in) {
  auto ms = sms::parse_jst(in);
  if (!ms)
    return;
  IVRCAST_FUZZ_CHECK(*ms > 0);
  std::string shown;
  sms::append_jst(shown, *ms);
  IVRCAST_FUZZ_CHECK(sms::parse_jst(shown) == ms);
}

void urls(std::string_view in) {
  auto found = sms::find_urls(in);
  for (auto u : found) {
    IVRCAST_FUZZ_CHECK(u.data() >= in.data() && u.data() + u.size() <= in.data() + in.size());
    IVRCAST_FUZZ_CHECK(u.starts_with("http://") || u.starts_with("https://"));
  }
  auto rewritten = sms::rewrite_urls(in, "s.example.jp", "msg-1");
  IVRCAST_FUZZ_CHECK(static_cast<bool>(rewritten) == (found.size() <= sms::max_urls));
  if (rewritten) {
    IVRCAST_FUZZ_CHECK(rewritten->links.size() == found.size());
    for (size_t i = 0; i < found.size(); ++i)
      IVRCAST_FUZZ_CHECK(rewritten->links[i].url == found[i]);
  }
}

void parts(std::string_view in) {
  auto text = sms::to_utf16(in);
  auto length = sms::utf16_length(in);
  IVRCAST_FUZZ_CHECK(static_cast<bool>(text) == static_cast<bool>(length));
  if (!text)
    return;
  IVRCAST_FUZZ_CHECK(static_cast<size_t>(*length) == text->size());
  for (auto c : sms::all_carriers) {
    auto billed = sms::billed_segments(c, *length);
    if (!billed)
      continue;
    std::u16string joined;
    for (auto p : sms::split_parts(c, *text)) {
      IVRCAST_FUZZ_CHECK(!p.empty());
      IVRCAST_FUZZ_CHECK(!(p.back() >= 0xD800 && p.back() <= 0xDBFF));  // no split pair
      joined += p;
    }
    IVRCAST_FUZZ_CHECK(joined == *text);
  }
}

void tables(std::string_view in) {
  auto [ranges, ported] = fuzz::split_at_nul(in);
  auto dir = sms::carrier_directory::parse(ranges, ported);
  if (!dir)
    return;
  for (auto n : {"09012345678", "08011112222", "07000000000", "0"})
    (void)dir->resolve(n);
}

/// A page token (`next`) and the filters of a log search, both straight from the query string.
void log_query(std::string_view in) {
  constexpr std::string_view binding = "acc-1|from=1&to=2";
  constexpr std::string_view key = "session-secret";
  // Any token: one that decodes is bound to its search; no other search takes it.
  if (control::decode_log_cursor(in, binding, key))
    IVRCAST_FUZZ_CHECK(!control::decode_log_cursor(in, "acc-2|from=1&to=2", key));
  (void)sms::status_named(in);
  (void)sms::arrival_named(in);
  // A position the server wrote comes back whole, and an edited token is refused.
  if (in.size() < 8)
    return;
  storage::delivery_log::position at;
  at.requested_at_ms = static_cast<int64_t>(storage::keys::get_be64(in));
  at.message_id = std::string{in.substr(8, 200)};
  auto token = control::encode_log_cursor(at, binding, key);
  auto back = control::decode_log_cursor(token, binding, key);
  IVRCAST_FUZZ_CHECK(back && back->requested_at_ms == at.requested_at_ms &&
                     back->message_id == at.message_id);
  IVRCAST_FUZZ_CHECK(!control::decode_log_cursor(token, binding, "another-secret"));
  auto edited = token;
  auto& c = edited[static_cast<size_t>(in[0]) % token.size()];
  c = c == '0' ? '1' : '0';
  IVRCAST_FUZZ_CHECK(!control::decode_log_cursor(edited, binding, key));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0)
    return 0;
  auto in = fuzz::as_text(data + 1, size - 1);
  switch (data[0] % 7) {
    case 0:
      phone(in);
      break;
    case 1:
      csv(in);
      break;
    case 2:
      dates(in);
      break;
    case 3:
      urls(in);
      break;
    case 4:
      parts(in);
      break;
    case 5:
      tables(in);
      break;
    default:
      log_query(in);
      break;
  }
  return 0;
}
