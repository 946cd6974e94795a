#include "messages/utf8.hpp"

namespace ivrcast {

utf8_step next_code_point(std::string_view s, size_t i) {
  auto fault = [](size_t at, const char* why) { return utf8_step{0, 0, why, at}; };
  auto b = static_cast<unsigned char>(s[i]);
  if (b < 0x80)
    return {b, 1};
  uint32_t cp = 0;
  size_t extra = 0;
  if ((b & 0xE0) == 0xC0) {
    cp = b & 0x1F;
    extra = 1;
  } else if ((b & 0xF0) == 0xE0) {
    cp = b & 0x0F;
    extra = 2;
  } else if ((b & 0xF8) == 0xF0) {
    cp = b & 0x07;
    extra = 3;
  } else {
    return fault(i, "invalid lead byte");
  }
  for (size_t k = 1; k <= extra; ++k) {
    if (i + k >= s.size())
      return fault(i, "truncated sequence");
    auto c = static_cast<unsigned char>(s[i + k]);
    if ((c & 0xC0) != 0x80)
      return fault(i + k, "invalid continuation byte");
    cp = (cp << 6) | (c & 0x3F);
  }
  static constexpr uint32_t min_of[] = {0, 0x80, 0x800, 0x10000};
  if (cp < min_of[extra] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
    return fault(i, "invalid code point");
  return {cp, 1 + extra};
}

std::optional<size_t> first_non_utf8(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    if (static_cast<unsigned char>(s[i]) < 0x80) {
      ++i;
      continue;
    }
    auto step = next_code_point(s, i);
    if (step.fault != nullptr)
      return step.fault_at;
    i += step.length;
  }
  return std::nullopt;
}

}  // namespace ivrcast
