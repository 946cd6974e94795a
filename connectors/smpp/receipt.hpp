#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <caf/expected.hpp>

#include "connectors/smpp/pdu.hpp"
#include "sms/delivery_status.hpp"

namespace ivrcast::connectors::smpp {

/// How an SMSC writes message ids: as opaque text, or as numbers in hex or decimal (some write
/// hex in submit_sm_resp and decimal in receipts, with or without leading zeros).
enum class id_format : uint8_t { text, hex, decimal };

/// Parses `text`, `hex` or `decimal` (the config values); nullopt otherwise.
std::optional<id_format> parse_id_format(std::string_view s);

/// Canonical form of a message id so both sides match: numbers become decimal without leading
/// zeros; text is lower-cased without leading zeros. Numeric text that does not parse in the
/// stated base falls back to the text form.
std::string normalise_message_id(std::string_view raw, id_format f);

/// A delivery receipt: deliver_sm with esm_class bit 2 (0x04).
struct receipt {
  std::string message_id;  // raw, as the SMSC wrote it
  sms::receipt_state state = sms::receipt_state::unknown;
  std::string err;         // `err:` text or the network_error_code TLV, as text
  int64_t done_at_ms = 0;  // `done date:` read as Japan time; 0 if absent
  std::string handset;     // the receipt's source_addr: the number the SMS went to
};

/// True if the deliver_sm is a delivery receipt rather than a mobile-originated message.
bool is_receipt(const sm_body& sm);

/// Reads a receipt from its TLVs (receipted_message_id, message_state, network_error_code)
/// and from the text `id:… sub:… dlvrd:… submit date:… done date:… stat:… err:…`; TLVs win
/// where both exist. Fails (errc::bad_input) without a message id or a known state.
[[nodiscard]] caf::expected<receipt> parse_receipt(const sm_body& sm);

}  // namespace ivrcast::connectors::smpp
