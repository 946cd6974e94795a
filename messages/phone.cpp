#include "messages/phone.hpp"

namespace ivrcast::messages {

std::string normalise_number(std::string_view raw) {
  std::string digits;
  digits.reserve(raw.size());
  bool plus = false;
  for (char c : raw) {
    if (c >= '0' && c <= '9')
      digits += c;
    else if (c == '+' && digits.empty() && !plus)
      plus = true;
    else if (c != ' ' && c != '-' && c != '.' && c != '(' && c != ')')
      return {};  // words such as "anonymous" or "withheld", or garbage: no usable number
  }
  if (plus) {
    if (!digits.starts_with("81"))
      return {};  // a foreign number: not something we can text
    digits = "0" + digits.substr(2);
  } else if (digits.starts_with("0081")) {
    digits = "0" + digits.substr(4);
  } else if (digits.starts_with("81") && digits.size() >= 11) {
    digits = "0" + digits.substr(2);
  }
  if (digits.size() < 10 || digits.size() > 11 || digits[0] != '0' || digits.starts_with("00"))
    return {};
  return digits;
}

bool is_mobile(std::string_view national, std::span<const std::string> prefixes) {
  if (national.size() != 11)
    return false;
  for (char c : national)
    if (c < '0' || c > '9')
      return false;
  for (const auto& p : prefixes)
    if (national.starts_with(p))
      return true;
  return false;
}

std::string mask(std::string_view number) {
  std::string out{number};
  for (size_t i = 3; i + 2 < out.size(); ++i)
    out[i] = '*';
  return out;
}

}  // namespace ivrcast::messages
