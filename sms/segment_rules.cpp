#include "sms/segment_rules.hpp"

#include "messages/errc.hpp"
#include "messages/utf8.hpp"

namespace ivrcast::sms {
namespace {

// Source: procedures-guide-ivr-plan §5.2 "SMS長文課金体系について": au/楽天モバイル bill
// 71+ characters in steps of 67 (134, 201 … 670), docomo in steps of 66 (132, 198 … 660),
// SoftBank one message up to 670; 楽天モバイル's maximum is 660. Physical parts follow the
// billing steps (UDH concatenation leaves 67 UCS-2 units; docomo's step is 66); SoftBank
// takes the whole text in message_payload.
constexpr segment_rule au_rule{70, 67, false, 670, false};
constexpr segment_rule docomo_rule{70, 66, false, 660, false};
constexpr segment_rule softbank_rule{70, 67, true, 670, true};
constexpr segment_rule rakuten_rule{70, 67, false, 660, false};

bool high_surrogate(char16_t u) {
  return u >= 0xD800 && u <= 0xDBFF;
}

}  // namespace

const segment_rule& rule_of(carrier c) {
  switch (c) {
    case carrier::au:
      return au_rule;
    case carrier::docomo:
      return docomo_rule;
    case carrier::softbank:
      return softbank_rule;
    case carrier::rakuten:
      return rakuten_rule;
  }
  return au_rule;
}

caf::expected<std::u16string> to_utf16(std::string_view s) {
  std::u16string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    auto step = next_code_point(s, i);
    if (step.fault != nullptr)
      return caf::make_error(errc::bad_input, "utf8",
                             std::string{step.fault} + " at " + std::to_string(step.fault_at));
    auto cp = step.code_point;
    if (cp >= 0x10000) {
      cp -= 0x10000;
      out.push_back(static_cast<char16_t>(0xD800 + (cp >> 10)));
      out.push_back(static_cast<char16_t>(0xDC00 + (cp & 0x3FF)));
    } else {
      out.push_back(static_cast<char16_t>(cp));
    }
    i += step.length;
  }
  return out;
}

caf::expected<int> utf16_length(std::string_view utf8) {
  auto u = to_utf16(utf8);
  if (!u)
    return std::move(u.error());
  return static_cast<int>(u->size());
}

std::optional<int> billed_segments(carrier c, int length) {
  const auto& r = rule_of(c);
  if (length < 1 || length > r.max_length)
    return std::nullopt;
  if (length <= r.single_max || r.flat_rate)
    return 1;
  return (length + r.per_part - 1) / r.per_part;
}

std::vector<std::u16string_view> split_parts(carrier c, std::u16string_view text) {
  const auto& r = rule_of(c);
  std::vector<std::u16string_view> out;
  if (text.size() <= static_cast<size_t>(r.single_max) || r.payload_tlv) {
    out.push_back(text);
    return out;
  }
  while (!text.empty()) {
    size_t n = std::min(text.size(), static_cast<size_t>(r.per_part));
    if (n < text.size() && high_surrogate(text[n - 1]))
      --n;  // keep the pair together in the next part
    out.push_back(text.substr(0, n));
    text.remove_prefix(n);
  }
  return out;
}

}  // namespace ivrcast::sms
