#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <caf/expected.hpp>

#include "sms/carrier.hpp"

namespace ivrcast::sms {

/// How a carrier bills and splits a message, from the procedures guide §5.2 (SMS長文課金体系)
/// as restated in product.md §3. Lengths are UTF-16 code units.
struct segment_rule {
  int single_max;    // a message this long or shorter is one segment (1–70)
  int per_part;      // units per billed segment above single_max: ceil(len / per_part)
  bool flat_rate;    // SoftBank: one segment whatever the length, up to max_length
  int max_length;    // longest message the carrier accepts
  bool payload_tlv;  // sent as one submit_sm with message_payload instead of UDH parts
};

/// The rule of `c`; the table lives in segment_rules.cpp with its source.
const segment_rule& rule_of(carrier c);

/// Length in UTF-16 code units (a character outside the BMP counts 2); fails on bad UTF-8.
[[nodiscard]] caf::expected<int> utf16_length(std::string_view utf8);

/// Billed segments [文字分割数] for a message of `length` units; nullopt when the carrier's
/// maximum is exceeded or the message is empty.
std::optional<int> billed_segments(carrier c, int length);

/// UTF-8 to UCS-2/UTF-16 big-endian bytes, the SMPP payload for data_coding 0x08.
[[nodiscard]] caf::expected<std::u16string> to_utf16(std::string_view utf8);

/// Splits a UTF-16 text into the physical parts sent for `c`: one part when it fits a single
/// SMS (or the carrier takes message_payload), else parts of at most per_part units, never
/// splitting a surrogate pair.
std::vector<std::u16string_view> split_parts(carrier c, std::u16string_view text);

}  // namespace ivrcast::sms
