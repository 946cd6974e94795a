#pragma once

#include <cstdint>
#include <string_view>

#include "connectors/smpp/pdu.hpp"

namespace ivrcast::connectors::smpp {

/// Where a part sits in its message.
struct part_position {
  int index = 0;  // 0-based
  int count = 1;
  uint8_t reference = 0;  // concatenation reference shared by the parts
};

/// The submit_sm body of one part: UCS-2 big-endian (data_coding 8), a delivery receipt
/// requested, national addresses (TON unknown, NPI ISDN). Several parts carry the 8-bit
/// concatenation UDH (esm_class 0x40); `payload` puts the text in message_payload instead
/// of short_message (SoftBank's single long message).
sm_body make_submit(std::string_view source, std::string_view destination, std::u16string_view text,
                    part_position pos, bool payload);

/// Part text of a submit_sm body back in UTF-16 (UDH and payload handled); for tests and
/// the simulator.
std::u16string part_text(const sm_body& sm);

}  // namespace ivrcast::connectors::smpp
