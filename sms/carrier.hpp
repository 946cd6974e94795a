#pragma once

#include <array>
#include <optional>
#include <string_view>

namespace ivrcast::sms {

/// The Japanese mobile carriers ivrcast sends through (product.md §3).
enum class carrier : uint8_t { au = 0, docomo = 1, softbank = 2, rakuten = 3 };

inline constexpr std::array<carrier, 4> all_carriers{carrier::au, carrier::docomo,
                                                     carrier::softbank, carrier::rakuten};

/// Key used in config and data files: au, docomo, softbank, rakuten.
std::string_view key(carrier c);

/// Name shown in the delivery log and CSV: au, docomo, SoftBank, 楽天モバイル.
std::string_view display_name(carrier c);

/// Parses a key (or the display name); nullopt if it names no carrier.
std::optional<carrier> parse_carrier(std::string_view s);

}  // namespace ivrcast::sms
