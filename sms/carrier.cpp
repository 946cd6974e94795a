#include "sms/carrier.hpp"

namespace ivrcast::sms {

std::string_view key(carrier c) {
  switch (c) {
    case carrier::au:
      return "au";
    case carrier::docomo:
      return "docomo";
    case carrier::softbank:
      return "softbank";
    case carrier::rakuten:
      return "rakuten";
  }
  return "?";
}

std::string_view display_name(carrier c) {
  switch (c) {
    case carrier::au:
      return "au";
    case carrier::docomo:
      return "docomo";
    case carrier::softbank:
      return "SoftBank";
    case carrier::rakuten:
      return "楽天モバイル";
  }
  return "?";
}

std::optional<carrier> parse_carrier(std::string_view s) {
  for (auto c : all_carriers)
    if (s == key(c) || s == display_name(c))
      return c;
  return std::nullopt;
}

}  // namespace ivrcast::sms
