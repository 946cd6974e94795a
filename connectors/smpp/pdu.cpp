#include "connectors/smpp/pdu.hpp"

#include "messages/errc.hpp"

namespace ivrcast::connectors::smpp {
namespace {

void put32(std::string& out, uint32_t v) {
  out.push_back(static_cast<char>(v >> 24));
  out.push_back(static_cast<char>(v >> 16));
  out.push_back(static_cast<char>(v >> 8));
  out.push_back(static_cast<char>(v));
}

void put16(std::string& out, uint16_t v) {
  out.push_back(static_cast<char>(v >> 8));
  out.push_back(static_cast<char>(v));
}

void cstr(std::string& out, std::string_view s) {
  out.append(s);
  out.push_back('\0');
}

uint32_t get32(std::string_view s) {
  auto b = [&](size_t i) { return static_cast<uint32_t>(static_cast<unsigned char>(s[i])); };
  return (b(0) << 24) | (b(1) << 16) | (b(2) << 8) | b(3);
}

/// Reads fields of a body in order; the first failure sticks and names the field.
class reader {
 public:
  explicit reader(std::string_view body) : rest_(body) {}

  void u8(uint8_t& v, const char* name) {
    if (!error_.empty())
      return;
    if (rest_.empty()) {
      error_ = std::string{name} + " missing";
      return;
    }
    v = static_cast<uint8_t>(rest_[0]);
    rest_.remove_prefix(1);
  }

  /// A C-octet string of at most `max` octets including its NUL.
  void c_octets(std::string& v, size_t max, const char* name) {
    if (!error_.empty())
      return;
    auto nul = rest_.find('\0');
    if (nul == std::string_view::npos) {
      error_ = std::string{name} + " has no terminating NUL";
      return;
    }
    if (nul + 1 > max) {
      error_ = std::string{name} + " is longer than " + std::to_string(max - 1) + " octets";
      return;
    }
    v.assign(rest_.substr(0, nul));
    rest_.remove_prefix(nul + 1);
  }

  void octets(std::string& v, size_t n, const char* name) {
    if (!error_.empty())
      return;
    if (rest_.size() < n) {
      error_ = std::string{name} + " runs past the end of the PDU";
      return;
    }
    v.assign(rest_.substr(0, n));
    rest_.remove_prefix(n);
  }

  void tlvs(std::vector<tlv>& out) {
    while (error_.empty() && !rest_.empty()) {
      if (rest_.size() < 4) {
        error_ = "truncated optional parameter header";
        return;
      }
      tlv t;
      t.tag = static_cast<uint16_t>((static_cast<unsigned char>(rest_[0]) << 8) |
                                    static_cast<unsigned char>(rest_[1]));
      size_t len = (static_cast<size_t>(static_cast<unsigned char>(rest_[2])) << 8) |
                   static_cast<unsigned char>(rest_[3]);
      rest_.remove_prefix(4);
      octets(t.value, len, "optional parameter value");
      out.push_back(std::move(t));
    }
  }

  void end(const char* what) {
    if (error_.empty() && !rest_.empty())
      error_ = std::to_string(rest_.size()) + " unexpected octets after the " + what + " body";
  }

  const std::string& error() const { return error_; }

 private:
  std::string_view rest_;
  std::string error_;
};

void read_bind(reader& r, bind_body& b) {
  r.c_octets(b.system_id, 16, "system_id");
  r.c_octets(b.password, 9, "password");
  r.c_octets(b.system_type, 13, "system_type");
  r.u8(b.interface_version, "interface_version");
  r.u8(b.addr_ton, "addr_ton");
  r.u8(b.addr_npi, "addr_npi");
  r.c_octets(b.address_range, 41, "address_range");
  r.end("bind");
}

void read_sm(reader& r, sm_body& s) {
  r.c_octets(s.service_type, 6, "service_type");
  r.u8(s.source_addr_ton, "source_addr_ton");
  r.u8(s.source_addr_npi, "source_addr_npi");
  r.c_octets(s.source_addr, 21, "source_addr");
  r.u8(s.dest_addr_ton, "dest_addr_ton");
  r.u8(s.dest_addr_npi, "dest_addr_npi");
  r.c_octets(s.destination_addr, 21, "destination_addr");
  r.u8(s.esm_class, "esm_class");
  r.u8(s.protocol_id, "protocol_id");
  r.u8(s.priority_flag, "priority_flag");
  r.c_octets(s.schedule_delivery_time, 17, "schedule_delivery_time");
  r.c_octets(s.validity_period, 17, "validity_period");
  r.u8(s.registered_delivery, "registered_delivery");
  r.u8(s.replace_if_present_flag, "replace_if_present_flag");
  r.u8(s.data_coding, "data_coding");
  r.u8(s.sm_default_msg_id, "sm_default_msg_id");
  uint8_t len = 0;
  r.u8(len, "sm_length");
  r.octets(s.short_message, len, "short_message");
  r.tlvs(s.tlvs);
}

void write_sm(std::string& out, const sm_body& s) {
  cstr(out, s.service_type);
  out.push_back(static_cast<char>(s.source_addr_ton));
  out.push_back(static_cast<char>(s.source_addr_npi));
  cstr(out, s.source_addr);
  out.push_back(static_cast<char>(s.dest_addr_ton));
  out.push_back(static_cast<char>(s.dest_addr_npi));
  cstr(out, s.destination_addr);
  out.push_back(static_cast<char>(s.esm_class));
  out.push_back(static_cast<char>(s.protocol_id));
  out.push_back(static_cast<char>(s.priority_flag));
  cstr(out, s.schedule_delivery_time);
  cstr(out, s.validity_period);
  out.push_back(static_cast<char>(s.registered_delivery));
  out.push_back(static_cast<char>(s.replace_if_present_flag));
  out.push_back(static_cast<char>(s.data_coding));
  out.push_back(static_cast<char>(s.sm_default_msg_id));
  auto n = std::min<size_t>(s.short_message.size(), 254);
  out.push_back(static_cast<char>(n));
  out.append(s.short_message, 0, n);
  for (const auto& t : s.tlvs) {
    put16(out, t.tag);
    put16(out, static_cast<uint16_t>(t.value.size()));
    out.append(t.value);
  }
}

caf::error bad(const std::string& what) {
  return caf::make_error(errc::bad_input, "smpp.decode", what);
}

}  // namespace

const tlv* sm_body::find(uint16_t t) const {
  for (const auto& x : tlvs)
    if (x.tag == t)
      return &x;
  return nullptr;
}

caf::expected<uint32_t> frame_size(std::string_view buf) {
  if (buf.size() < 4)
    return 0u;
  auto n = get32(buf);
  if (n < header_size || n > max_pdu_size)
    return bad("command_length " + std::to_string(n) + " is outside 16.." +
               std::to_string(max_pdu_size));
  return n;
}

caf::expected<pdu> decode(std::string_view frame, pdu* header_out) {
  if (frame.size() < header_size)
    return bad("a PDU needs 16 header octets, got " + std::to_string(frame.size()));
  pdu p;
  auto len = get32(frame);
  p.command_id = get32(frame.substr(4));
  p.command_status = get32(frame.substr(8));
  p.sequence = get32(frame.substr(12));
  if (header_out)
    *header_out = p;
  if (len != frame.size())
    return bad("command_length " + std::to_string(len) + " disagrees with the " +
               std::to_string(frame.size()) + " octets received");
  reader r{frame.substr(header_size)};
  switch (p.command_id) {
    case cmd::bind_receiver:
    case cmd::bind_transmitter:
    case cmd::bind_transceiver:
      read_bind(r, p.bind);
      break;
    case cmd::bind_receiver | cmd::resp_bit:
    case cmd::bind_transmitter | cmd::resp_bit:
    case cmd::bind_transceiver | cmd::resp_bit:
      // An error resp may carry no body at all (§4.1.2).
      if (frame.size() > header_size) {
        r.c_octets(p.id, 16, "system_id");
        r.tlvs(p.sm.tlvs);
      }
      break;
    case cmd::submit_sm | cmd::resp_bit:
    case cmd::deliver_sm | cmd::resp_bit:
      if (frame.size() > header_size) {
        r.c_octets(p.id, 65, "message_id");
        r.end("resp");
      }
      break;
    case cmd::submit_sm:
    case cmd::deliver_sm:
      read_sm(r, p.sm);
      break;
    case cmd::unbind:
    case cmd::unbind | cmd::resp_bit:
    case cmd::enquire_link:
    case cmd::enquire_link | cmd::resp_bit:
    case cmd::generic_nack:
      r.end(std::string{command_name(p.command_id)}.c_str());
      break;
    default:
      return caf::make_error(
          errc::bad_input, "smpp.decode", "unknown command_id 0x" + [&] {
            char tmp[9];
            std::snprintf(tmp, sizeof tmp, "%08x", p.command_id);
            return std::string{tmp};
          }());
  }
  if (!r.error().empty())
    return bad(std::string{command_name(p.command_id)} + ": " + r.error());
  return p;
}

void encode(const pdu& p, std::string& out) {
  auto start = out.size();
  put32(out, 0);  // length, patched below
  put32(out, p.command_id);
  put32(out, p.command_status);
  put32(out, p.sequence);
  switch (p.command_id) {
    case cmd::bind_receiver:
    case cmd::bind_transmitter:
    case cmd::bind_transceiver:
      cstr(out, p.bind.system_id);
      cstr(out, p.bind.password);
      cstr(out, p.bind.system_type);
      out.push_back(static_cast<char>(p.bind.interface_version));
      out.push_back(static_cast<char>(p.bind.addr_ton));
      out.push_back(static_cast<char>(p.bind.addr_npi));
      cstr(out, p.bind.address_range);
      break;
    case cmd::bind_receiver | cmd::resp_bit:
    case cmd::bind_transmitter | cmd::resp_bit:
    case cmd::bind_transceiver | cmd::resp_bit:
    case cmd::submit_sm | cmd::resp_bit:
    case cmd::deliver_sm | cmd::resp_bit:
      cstr(out, p.id);
      break;
    case cmd::submit_sm:
    case cmd::deliver_sm:
      write_sm(out, p.sm);
      break;
    default:
      break;  // header-only PDUs
  }
  auto len = static_cast<uint32_t>(out.size() - start);
  out[start] = static_cast<char>(len >> 24);
  out[start + 1] = static_cast<char>(len >> 16);
  out[start + 2] = static_cast<char>(len >> 8);
  out[start + 3] = static_cast<char>(len);
}

std::string_view command_name(uint32_t id) {
  switch (id) {
    case cmd::generic_nack:
      return "generic_nack";
    case cmd::bind_receiver:
      return "bind_receiver";
    case cmd::bind_transmitter:
      return "bind_transmitter";
    case cmd::bind_transceiver:
      return "bind_transceiver";
    case cmd::bind_receiver | cmd::resp_bit:
      return "bind_receiver_resp";
    case cmd::bind_transmitter | cmd::resp_bit:
      return "bind_transmitter_resp";
    case cmd::bind_transceiver | cmd::resp_bit:
      return "bind_transceiver_resp";
    case cmd::submit_sm:
      return "submit_sm";
    case cmd::submit_sm | cmd::resp_bit:
      return "submit_sm_resp";
    case cmd::deliver_sm:
      return "deliver_sm";
    case cmd::deliver_sm | cmd::resp_bit:
      return "deliver_sm_resp";
    case cmd::unbind:
      return "unbind";
    case cmd::unbind | cmd::resp_bit:
      return "unbind_resp";
    case cmd::enquire_link:
      return "enquire_link";
    case cmd::enquire_link | cmd::resp_bit:
      return "enquire_link_resp";
    default:
      return "unknown";
  }
}

}  // namespace ivrcast::connectors::smpp
