#include <gtest/gtest.h>

#include "connectors/smpp/pdu.hpp"
#include "connectors/smpp/receipt.hpp"
#include "connectors/smpp/submit.hpp"
#include "messages/errc.hpp"

namespace ivrcast::connectors::smpp {
namespace {

pdu round_trip(const pdu& p) {
  std::string wire;
  encode(p, wire);
  auto size = frame_size(wire);
  EXPECT_TRUE(size && *size == wire.size());
  auto back = decode(wire);
  EXPECT_TRUE(back) << describe(back.error());
  return back ? *back : pdu{};
}

TEST(SmppPduTest, BindRoundTrips) {
  pdu p;
  p.command_id = cmd::bind_transceiver;
  p.sequence = 7;
  p.bind.system_id = "ivrcast";
  p.bind.password = "secret";
  p.bind.system_type = "IVR";
  auto b = round_trip(p);
  EXPECT_EQ(b.command_id, cmd::bind_transceiver);
  EXPECT_EQ(b.sequence, 7u);
  EXPECT_EQ(b.bind.system_id, "ivrcast");
  EXPECT_EQ(b.bind.password, "secret");
  EXPECT_EQ(b.bind.system_type, "IVR");
  EXPECT_EQ(b.bind.interface_version, 0x34);
}

TEST(SmppPduTest, SubmitWithUdhAndRespRoundTrip) {
  std::u16string text = u"ご予約ありがとうございます";
  pdu p;
  p.command_id = cmd::submit_sm;
  p.sequence = 0x7FFFFFFF;
  p.sm = make_submit("0312345678", "09012345678", text, {1, 3, 42}, false);
  auto b = round_trip(p);
  EXPECT_EQ(b.sm.source_addr, "0312345678");
  EXPECT_EQ(b.sm.destination_addr, "09012345678");
  EXPECT_EQ(b.sm.esm_class, 0x40);
  EXPECT_EQ(b.sm.data_coding, 0x08);
  EXPECT_EQ(b.sm.registered_delivery, 1);
  EXPECT_EQ(b.sm.short_message.substr(0, 6), std::string("\x05\x00\x03\x2A\x03\x02", 6));
  EXPECT_EQ(part_text(b.sm), text);

  pdu resp;
  resp.command_id = cmd::submit_sm | cmd::resp_bit;
  resp.sequence = 9;
  resp.id = "00ABCDEF";
  EXPECT_EQ(round_trip(resp).id, "00ABCDEF");
}

TEST(SmppPduTest, PayloadTlvCarriesALongSoftBankMessage) {
  std::u16string text(600, u'あ');
  pdu p;
  p.command_id = cmd::submit_sm;
  p.sm = make_submit("0312345678", "08012345678", text, {0, 1, 0}, true);
  auto b = round_trip(p);
  EXPECT_TRUE(b.sm.short_message.empty());
  ASSERT_NE(b.sm.find(tag::message_payload), nullptr);
  EXPECT_EQ(part_text(b.sm), text);
}

TEST(SmppPduTest, HeaderOnlyPdusRoundTrip) {
  for (auto id : {cmd::enquire_link, cmd::enquire_link | cmd::resp_bit, cmd::unbind,
                  cmd::unbind | cmd::resp_bit, cmd::generic_nack}) {
    pdu p;
    p.command_id = id;
    p.command_status = id == cmd::generic_nack ? status::invalid_command_id : 0;
    p.sequence = 3;
    auto b = round_trip(p);
    EXPECT_EQ(b.command_id, id);
    EXPECT_EQ(b.command_status, p.command_status);
  }
}

std::string wire_of(const pdu& p) {
  std::string w;
  encode(p, w);
  return w;
}

void set_length(std::string& w, uint32_t n) {
  w[0] = static_cast<char>(n >> 24);
  w[1] = static_cast<char>(n >> 16);
  w[2] = static_cast<char>(n >> 8);
  w[3] = static_cast<char>(n);
}

TEST(SmppPduTest, MalformedPdusAreRefusedSayingWhy) {
  pdu bind;
  bind.command_id = cmd::bind_transceiver;
  bind.bind.system_id = "x";
  struct row {
    const char* name;
    std::string wire;
    const char* reason;
  };
  std::vector<row> rows;
  {
    auto w = wire_of(bind);
    w.pop_back();  // address_range loses its NUL
    set_length(w, static_cast<uint32_t>(w.size()));
    rows.push_back({"missing NUL", w, "address_range has no terminating NUL"});
  }
  {
    pdu b = bind;
    b.bind.system_id = std::string(20, 'a');
    auto w = wire_of(b);
    rows.push_back({"system_id too long", w, "system_id is longer than 15"});
  }
  {
    auto w = wire_of(bind);
    set_length(w, static_cast<uint32_t>(w.size() + 4));
    rows.push_back({"length mismatch", w, "disagrees"});
  }
  {
    pdu s;
    s.command_id = cmd::submit_sm;
    s.sm = make_submit("1", "2", u"abc", {0, 1, 0}, false);
    s.sm.tlvs.push_back({tag::message_state, "\x02"});
    auto w = wire_of(s);
    w.pop_back();  // the TLV's value is cut
    set_length(w, static_cast<uint32_t>(w.size()));
    rows.push_back({"truncated TLV", w, "optional parameter value runs past the end"});
  }
  {
    pdu s;
    s.command_id = cmd::submit_sm;
    s.sm = make_submit("1", "2", u"abc", {0, 1, 0}, false);
    auto w = wire_of(s);
    w.resize(w.size() - 3);  // sm_length says 6, 3 remain
    set_length(w, static_cast<uint32_t>(w.size()));
    rows.push_back({"short message cut", w, "short_message runs past the end"});
  }
  {
    pdu u;
    u.command_id = 0x00000099;
    rows.push_back({"unknown command", wire_of(u), "unknown command_id 0x00000099"});
  }
  {
    pdu e;
    e.command_id = cmd::enquire_link;
    auto w = wire_of(e) + "xy";
    set_length(w, static_cast<uint32_t>(w.size()));
    rows.push_back({"trailing octets", w, "unexpected octets"});
  }
  for (const auto& r : rows) {
    SCOPED_TRACE(r.name);
    auto p = decode(r.wire);
    ASSERT_FALSE(p);
    EXPECT_EQ(p.error().code(), static_cast<uint8_t>(errc::bad_input));
    EXPECT_NE(describe(p.error()).find(r.reason), std::string::npos) << describe(p.error());
  }
  EXPECT_FALSE(frame_size(std::string("\x00\x00\x00\x05", 4)));  // below the header
  EXPECT_FALSE(frame_size(std::string("\x00\x10\x00\x01", 4)));  // above 64 KiB
  EXPECT_EQ(frame_size(std::string("\x00\x00", 2)).value(), 0u);
}

TEST(SmppReceiptTest, ReadsTlvsAndFallsBackToTheText) {
  sm_body sm;
  sm.esm_class = 0x04;
  sm.source_addr = "09012345678";
  sm.short_message =
      "id:0000123 sub:001 dlvrd:001 submit date:2601010900 done date:2601010901 stat:DELIVRD "
      "err:000 text:";
  ASSERT_TRUE(is_receipt(sm));
  auto r = parse_receipt(sm);
  ASSERT_TRUE(r) << describe(r.error());
  EXPECT_EQ(r->message_id, "0000123");
  EXPECT_EQ(r->state, sms::receipt_state::delivered);
  EXPECT_EQ(r->err, "000");
  EXPECT_EQ(r->handset, "09012345678");
  EXPECT_EQ(r->done_at_ms, 1767225660000);  // 2026-01-01 09:01 JST

  sm.tlvs.push_back({tag::receipted_message_id, std::string("7B\0", 3)});
  sm.tlvs.push_back({tag::message_state, "\x05"});
  sm.tlvs.push_back({tag::network_error_code, std::string("\x03\x00\x06", 3)});
  r = parse_receipt(sm);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->message_id, "7B");
  EXPECT_EQ(r->state, sms::receipt_state::undeliverable);
  EXPECT_EQ(r->err, "006");

  sm_body bad;
  bad.esm_class = 0x04;
  bad.short_message = "stat:DELIVRD";
  EXPECT_FALSE(parse_receipt(bad));
  bad.short_message = "id:1 stat:WHATEVER";
  EXPECT_FALSE(parse_receipt(bad));
  sm_body mo;
  EXPECT_FALSE(is_receipt(mo));
}

TEST(SmppReceiptTest, MessageIdsNormaliseAcrossHexDecimalAndLeadingZeros) {
  EXPECT_EQ(normalise_message_id("000000007B", id_format::hex), "123");
  EXPECT_EQ(normalise_message_id("7b", id_format::hex), "123");
  EXPECT_EQ(normalise_message_id("0123", id_format::decimal), "123");
  EXPECT_EQ(normalise_message_id("00AbC", id_format::text), "abc");
  EXPECT_EQ(normalise_message_id("12x", id_format::decimal), "12x");  // not a number: text form
  EXPECT_EQ(normalise_message_id("0", id_format::decimal), "0");
}

}  // namespace
}  // namespace ivrcast::connectors::smpp
