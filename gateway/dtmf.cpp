#include "gateway/dtmf.hpp"

#include <cctype>

namespace ivrcast::gateway {
namespace {

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size())
    return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  return true;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front())))
    s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back())))
    s.remove_suffix(1);
  return s;
}

/// A key written as itself ("5", "*", "#", "A") or as its RFC 4733 code ("10" is '*').
char key_of(std::string_view v) {
  v = trim(v);
  if (v.size() == 1) {
    char c = static_cast<char>(std::toupper(static_cast<unsigned char>(v[0])));
    if ((c >= '0' && c <= '9') || c == '*' || c == '#' || (c >= 'A' && c <= 'D'))
      return c;
    return 0;
  }
  if (v.size() == 2 && v[0] == '1' && v[1] >= '0' && v[1] <= '5')
    return event_key(static_cast<uint8_t>(10 + (v[1] - '0')));
  return 0;
}

}  // namespace

std::optional<telephone_event> parse_telephone_event(std::span<const uint8_t> p) {
  if (p.size() < 4)
    return std::nullopt;
  telephone_event ev;
  ev.event = p[0];
  ev.end = (p[1] & 0x80) != 0;
  ev.duration = static_cast<uint16_t>((p[2] << 8) | p[3]);
  return ev;
}

char event_key(uint8_t event) {
  static constexpr char keys[] = "0123456789*#ABCD";
  return event < 16 ? keys[event] : 0;
}

char info_key(std::string_view content_type, std::string_view body) {
  auto semi = content_type.find(';');
  auto type = trim(content_type.substr(0, semi));
  if (iequals(type, "application/dtmf"))
    return key_of(body);
  if (!iequals(type, "application/dtmf-relay"))
    return 0;
  while (!body.empty()) {
    auto eol = body.find('\n');
    auto line = trim(body.substr(0, eol));
    body = eol == std::string_view::npos ? std::string_view{} : body.substr(eol + 1);
    auto eq = line.find('=');
    if (eq != std::string_view::npos && iequals(trim(line.substr(0, eq)), "signal"))
      return key_of(line.substr(eq + 1));
  }
  return 0;
}

char dtmf_detector::packet(uint32_t ssrc, uint32_t timestamp, const telephone_event& ev,
                           int64_t now_ms) {
  for (auto& p : recent_)
    if (p.used && p.ssrc == ssrc && p.timestamp == timestamp) {
      bool same_press = now_ms - p.last_ms <= repeat_window_ms;
      p.last_ms = now_ms;
      if (same_press)
        return 0;
      return event_key(ev.event);  // the same recording played again
    }
  auto& slot = recent_[next_slot_];
  next_slot_ = (next_slot_ + 1) % recent_.size();
  slot = press{ssrc, timestamp, now_ms, true};
  return event_key(ev.event);
}

}  // namespace ivrcast::gateway
