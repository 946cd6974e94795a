#include "connectors/smpp/receipt.hpp"

#include <cctype>

#include "messages/clock.hpp"
#include "messages/errc.hpp"

namespace ivrcast::connectors::smpp {
namespace {

std::string text_form(std::string_view raw) {
  while (raw.size() > 1 && raw.front() == '0')
    raw.remove_prefix(1);
  std::string out{raw};
  for (auto& c : out)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

/// The value after `name:` in a receipt text, up to the next space.
std::string_view field(std::string_view text, std::string_view name) {
  size_t from = 0;
  while (true) {
    auto pos = text.find(name, from);
    if (pos == std::string_view::npos)
      return {};
    // Match whole field names: "id:" must not hit inside "...msgid:".
    if (pos == 0 || text[pos - 1] == ' ') {
      auto start = pos + name.size();
      auto end = text.find(' ', start);
      return text.substr(start,
                         end == std::string_view::npos ? std::string_view::npos : end - start);
    }
    from = pos + 1;
  }
}

/// `YYMMDDhhmm` or `YYMMDDhhmmss`, Japan time, to Unix milliseconds; 0 if malformed.
int64_t parse_done(std::string_view v) {
  if (v.size() != 10 && v.size() != 12)
    return 0;
  int f[6] = {0, 0, 0, 0, 0, 0};
  for (size_t i = 0; i < v.size(); i += 2) {
    if (!std::isdigit(static_cast<unsigned char>(v[i])) ||
        !std::isdigit(static_cast<unsigned char>(v[i + 1])))
      return 0;
    f[i / 2] = (v[i] - '0') * 10 + (v[i + 1] - '0');
  }
  if (f[1] < 1 || f[1] > 12 || f[2] < 1 || f[2] > 31 || f[3] > 23 || f[4] > 59 || f[5] > 59)
    return 0;
  return jst_to_unix_ms(2000 + f[0], f[1], f[2], f[3], f[4], f[5]);
}

}  // namespace

std::optional<id_format> parse_id_format(std::string_view s) {
  if (s == "text")
    return id_format::text;
  if (s == "hex")
    return id_format::hex;
  if (s == "decimal")
    return id_format::decimal;
  return std::nullopt;
}

std::string normalise_message_id(std::string_view raw, id_format f) {
  if (f == id_format::text || raw.empty())
    return text_form(raw);
  uint64_t v = 0;
  for (char c : raw) {
    int digit = -1;
    if (c >= '0' && c <= '9')
      digit = c - '0';
    else if (f == id_format::hex && c >= 'a' && c <= 'f')
      digit = c - 'a' + 10;
    else if (f == id_format::hex && c >= 'A' && c <= 'F')
      digit = c - 'A' + 10;
    uint64_t base = f == id_format::hex ? 16 : 10;
    if (digit < 0 || v > (UINT64_MAX - static_cast<uint64_t>(digit)) / base)
      return text_form(raw);
    v = v * base + static_cast<uint64_t>(digit);
  }
  return std::to_string(v);
}

bool is_receipt(const sm_body& sm) {
  return (sm.esm_class & 0x3C) == 0x04;
}

caf::expected<receipt> parse_receipt(const sm_body& sm) {
  receipt r;
  r.handset = sm.source_addr;
  std::string_view text = sm.short_message;
  if (auto* t = sm.find(tag::receipted_message_id)) {
    std::string_view v = t->value;
    if (!v.empty() && v.back() == '\0')
      v.remove_suffix(1);
    r.message_id = v;
  } else {
    r.message_id = field(text, "id:");
  }
  if (r.message_id.empty())
    return caf::make_error(errc::bad_input, "smpp.receipt", "receipt without a message id");
  std::optional<sms::receipt_state> st;
  if (auto* t = sm.find(tag::message_state); t && t->value.size() == 1)
    st = sms::state_from_tlv(static_cast<uint8_t>(t->value[0]));
  if (!st)
    st = sms::parse_stat(field(text, "stat:"));
  if (!st)
    return caf::make_error(errc::bad_input, "smpp.receipt",
                           "receipt for " + r.message_id + " has no known state");
  r.state = *st;
  if (auto* t = sm.find(tag::network_error_code); t && t->value.size() == 3) {
    auto code = (static_cast<unsigned>(static_cast<unsigned char>(t->value[1])) << 8) |
                static_cast<unsigned char>(t->value[2]);
    char tmp[8];
    std::snprintf(tmp, sizeof tmp, "%03u", code);
    r.err = tmp;
  } else {
    r.err = field(text, "err:");
  }
  r.done_at_ms = parse_done(field(text, "done date:"));
  return r;
}

}  // namespace ivrcast::connectors::smpp
