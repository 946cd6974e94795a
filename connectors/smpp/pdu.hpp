#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <caf/expected.hpp>

namespace ivrcast::connectors::smpp {

/// SMPP 3.4 command ids (§5.1.2.1) ivrcast speaks.
namespace cmd {
inline constexpr uint32_t generic_nack = 0x80000000;
inline constexpr uint32_t bind_receiver = 0x00000001;
inline constexpr uint32_t bind_transmitter = 0x00000002;
inline constexpr uint32_t submit_sm = 0x00000004;
inline constexpr uint32_t deliver_sm = 0x00000005;
inline constexpr uint32_t unbind = 0x00000006;
inline constexpr uint32_t bind_transceiver = 0x00000009;
inline constexpr uint32_t enquire_link = 0x00000015;
inline constexpr uint32_t resp_bit = 0x80000000;
}  // namespace cmd

/// command_status values (§5.1.3) ivrcast sends or reacts to.
namespace status {
inline constexpr uint32_t ok = 0x00;
inline constexpr uint32_t invalid_message_length = 0x01;
inline constexpr uint32_t invalid_command_length = 0x02;
inline constexpr uint32_t invalid_command_id = 0x03;
inline constexpr uint32_t incorrect_bind_status = 0x04;
inline constexpr uint32_t system_error = 0x08;
inline constexpr uint32_t invalid_dest_address = 0x0B;
inline constexpr uint32_t bind_failed = 0x0D;
inline constexpr uint32_t invalid_password = 0x0E;
inline constexpr uint32_t message_queue_full = 0x14;
inline constexpr uint32_t submit_failed = 0x45;
inline constexpr uint32_t throttled = 0x58;
}  // namespace status

/// Optional parameter tags (§5.3.2) ivrcast reads or writes.
namespace tag {
inline constexpr uint16_t receipted_message_id = 0x001E;
inline constexpr uint16_t user_message_reference = 0x0204;
inline constexpr uint16_t network_error_code = 0x0423;
inline constexpr uint16_t message_payload = 0x0424;
inline constexpr uint16_t message_state = 0x0427;
}  // namespace tag

struct tlv {
  uint16_t tag = 0;
  std::string value;
};

/// Body of bind_transmitter / bind_receiver / bind_transceiver.
struct bind_body {
  std::string system_id;
  std::string password;
  std::string system_type;
  uint8_t interface_version = 0x34;
  uint8_t addr_ton = 0;
  uint8_t addr_npi = 0;
  std::string address_range;
};

/// Body shared by submit_sm and deliver_sm.
struct sm_body {
  std::string service_type;
  uint8_t source_addr_ton = 0;
  uint8_t source_addr_npi = 0;
  std::string source_addr;
  uint8_t dest_addr_ton = 0;
  uint8_t dest_addr_npi = 0;
  std::string destination_addr;
  uint8_t esm_class = 0;
  uint8_t protocol_id = 0;
  uint8_t priority_flag = 0;
  std::string schedule_delivery_time;
  std::string validity_period;
  uint8_t registered_delivery = 0;
  uint8_t replace_if_present_flag = 0;
  uint8_t data_coding = 0;
  uint8_t sm_default_msg_id = 0;
  std::string short_message;  // raw octets (UCS-2 big-endian with data_coding 8)
  std::vector<tlv> tlvs;

  const tlv* find(uint16_t t) const;
};

/// One PDU. Which body fields matter follows `command_id`: `bind` for binds, `sm` for
/// submit_sm/deliver_sm, `id` for bind resps (system_id) and submit_sm_resp (message_id).
struct pdu {
  uint32_t command_id = 0;
  uint32_t command_status = 0;
  uint32_t sequence = 0;
  bind_body bind;
  sm_body sm;
  std::string id;
};

inline constexpr uint32_t header_size = 16;
/// Longest PDU accepted: message_payload of a 670-character SoftBank message fits easily.
inline constexpr uint32_t max_pdu_size = 64 * 1024;

/// Size of the PDU starting at `buf`, 0 if fewer than 4 bytes are there yet; an error when the
/// length field is below the header size or above max_pdu_size (the stream cannot be resynced).
[[nodiscard]] caf::expected<uint32_t> frame_size(std::string_view buf);

/// Decodes one whole PDU. Refuses (errc::bad_input, saying what) a length that disagrees with
/// the bytes, a C-octet string without its NUL or over its maximum, a short field, a TLV running
/// past the end, or an unknown command. The header is returned in `header_out` even on failure
/// when at least 16 bytes were there, so the caller can generic_nack the right sequence.
[[nodiscard]] caf::expected<pdu> decode(std::string_view frame, pdu* header_out = nullptr);

/// Appends the PDU's wire bytes to `out`.
void encode(const pdu& p, std::string& out);

/// Name of a command id for logs ("submit_sm_resp").
std::string_view command_name(uint32_t command_id);

}  // namespace ivrcast::connectors::smpp
