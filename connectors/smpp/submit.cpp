#include "connectors/smpp/submit.hpp"

namespace ivrcast::connectors::smpp {
namespace {

void append_ucs2(std::string& out, std::u16string_view text) {
  for (char16_t u : text) {
    out.push_back(static_cast<char>(u >> 8));
    out.push_back(static_cast<char>(u & 0xFF));
  }
}

}  // namespace

sm_body make_submit(std::string_view source, std::string_view destination, std::u16string_view text,
                    part_position pos, bool payload) {
  sm_body sm;
  sm.source_addr_npi = 1;
  sm.source_addr = source;
  sm.dest_addr_npi = 1;
  sm.destination_addr = destination;
  sm.registered_delivery = 1;
  sm.data_coding = 0x08;
  if (payload) {
    tlv t{tag::message_payload, {}};
    append_ucs2(t.value, text);
    sm.tlvs.push_back(std::move(t));
    return sm;
  }
  if (pos.count > 1) {
    sm.esm_class = 0x40;
    sm.short_message = {'\x05',
                        '\x00',
                        '\x03',
                        static_cast<char>(pos.reference),
                        static_cast<char>(pos.count),
                        static_cast<char>(pos.index + 1)};
  }
  append_ucs2(sm.short_message, text);
  return sm;
}

std::u16string part_text(const sm_body& sm) {
  std::string_view bytes = sm.short_message;
  if (auto* t = sm.find(tag::message_payload))
    bytes = t->value;
  else if ((sm.esm_class & 0x40) && !bytes.empty())
    bytes.remove_prefix(std::min<size_t>(bytes.size(), 1 + static_cast<unsigned char>(bytes[0])));
  std::u16string out;
  for (size_t i = 0; i + 1 < bytes.size(); i += 2)
    out.push_back(static_cast<char16_t>((static_cast<unsigned char>(bytes[i]) << 8) |
                                        static_cast<unsigned char>(bytes[i + 1])));
  return out;
}

}  // namespace ivrcast::connectors::smpp
