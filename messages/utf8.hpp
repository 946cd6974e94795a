#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace ivrcast {

/// One code point read from UTF-8 as RFC 3629 has it: no overlong forms, no surrogates, nothing
/// past U+10FFFF.
struct utf8_step {
  uint32_t code_point = 0;
  size_t length = 0;            // bytes read; 0 with a fault
  const char* fault = nullptr;  // why the bytes there are not UTF-8 ("truncated sequence", ...)
  size_t fault_at = 0;          // the offending byte's index in the text
};

/// The code point that starts at `text[at]` (`at` < `text.size()`).
utf8_step next_code_point(std::string_view text, size_t at);

/// Where `text` first stops being UTF-8, if it does.
std::optional<size_t> first_non_utf8(std::string_view text);

}  // namespace ivrcast
