// DTMF detection, SIP INFO keys, WAV parsing, G.711 and caller identity: the gateway's pure
// parts, table-driven.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "gateway/caller_identity.hpp"
#include "gateway/dtmf.hpp"
#include "gateway/g711.hpp"
#include "gateway/wav.hpp"

namespace ivrcast::gateway {
namespace {

telephone_event ev(uint8_t event, bool end) {
  telephone_event e;
  e.event = event;
  e.end = end;
  return e;
}

TEST(DtmfDetectorTest, OneKeyPerEventWhateverPacketsArrive) {
  struct packet {
    uint32_t ts;
    uint8_t event;
    bool end;
    int64_t at_ms;
    char expect;
  };
  struct dtmf_case {
    const char* name;
    std::vector<packet> packets;
  };
  const dtmf_case cases[] = {
      {"start, updates, three end packets: one key",
       {{100, 5, false, 0, '5'},
        {100, 5, false, 20, 0},
        {100, 5, true, 40, 0},
        {100, 5, true, 40, 0},
        {100, 5, true, 41, 0}}},
      {"no marker needed, lost start: the first end packet is the key",
       {{200, 1, true, 0, '1'}, {200, 1, true, 1, 0}, {200, 1, true, 2, 0}}},
      {"lost end: the next event still counts",
       {{300, 0, false, 0, '0'}, {300, 0, false, 50, 0}, {460, 0, false, 200, '0'}}},
      {"the same digit twice in a row has two timestamps: two keys",
       {{400, 9, false, 0, '9'},
        {400, 9, true, 60, 0},
        {1200, 9, false, 150, '9'},
        {1200, 9, true, 210, 0}}},
      {"a recording replayed after a pause: same timestamp, a new key",
       {{500, 11, false, 0, '#'}, {500, 11, true, 140, 0}, {500, 11, false, 600, '#'}}},
      {"events 12-15 are A-D, 16+ no key", {{600, 12, false, 0, 'A'}, {700, 16, false, 10, 0}}},
  };
  for (const auto& tc : cases) {
    SCOPED_TRACE(tc.name);
    dtmf_detector d;
    for (const auto& p : tc.packets)
      EXPECT_EQ(d.packet(0x1234, p.ts, ev(p.event, p.end), p.at_ms), p.expect) << "ts " << p.ts;
  }
}

TEST(DtmfDetectorTest, AnotherSourceIsAnotherEvent) {
  dtmf_detector d;
  EXPECT_EQ(d.packet(1, 100, ev(3, false), 0), '3');
  EXPECT_EQ(d.packet(2, 100, ev(3, false), 10), '3');
}

TEST(DtmfDetectorTest, ParsesTelephoneEventPayload) {
  const uint8_t p[] = {0x0b, 0x8a, 0x08, 0xc0};
  auto e = parse_telephone_event(p);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->event, 11);
  EXPECT_TRUE(e->end);
  EXPECT_EQ(e->duration, 0x08c0);
  EXPECT_FALSE(parse_telephone_event(std::span<const uint8_t>{p, 3}));
}

TEST(InfoKeyTest, DtmfRelayAndDtmfBodies) {
  struct info_case {
    const char* type;
    const char* body;
    char key;
  };
  const info_case cases[] = {
      {"application/dtmf-relay", "Signal=5\r\nDuration=160\r\n", '5'},
      {"application/dtmf-relay", "Signal= #\r\nDuration=100\r\n", '#'},
      {"Application/DTMF-Relay", "signal=*\nduration=100", '*'},
      {"application/dtmf-relay", "Signal=11\r\n", '#'},
      {"application/dtmf-relay", "Duration=160\r\n", 0},
      {"application/dtmf", "7", '7'},
      {"application/dtmf", "  0 \r\n", '0'},
      {"application/dtmf", "x", 0},
      {"text/plain", "Signal=5", 0},
  };
  for (const auto& tc : cases) {
    SCOPED_TRACE(std::string{tc.type} + " " + tc.body);
    EXPECT_EQ(info_key(tc.type, tc.body), tc.key);
  }
}

std::string le32(uint32_t v) {
  std::string s(4, '\0');
  for (int i = 0; i < 4; ++i)
    s[static_cast<size_t>(i)] = static_cast<char>((v >> (8 * i)) & 0xFF);
  return s;
}

std::string le16(uint16_t v) {
  return std::string{static_cast<char>(v & 0xFF), static_cast<char>(v >> 8)};
}

std::string chunk(const std::string& id, const std::string& body) {
  auto c = id + le32(static_cast<uint32_t>(body.size())) + body;
  if (body.size() % 2)
    c += '\0';
  return c;
}

std::string fmt(uint16_t tag, uint16_t channels, uint32_t rate, uint16_t bits) {
  return le16(tag) + le16(channels) + le32(rate) + le32(rate * channels) + le16(channels) +
         le16(bits);
}

std::string riff(const std::string& chunks) {
  return "RIFF" + le32(static_cast<uint32_t>(4 + chunks.size())) + "WAVE" + chunks;
}

TEST(WavTest, MulawSamplesOrTheBrokenRule) {
  std::string samples = "\x01\x02\x03";
  struct wav_case {
    const char* name;
    std::string file;
    const char* error;  // nullptr: accepted
  };
  const wav_case cases[] = {
      {"plain", riff(chunk("fmt ", fmt(7, 1, 8000, 8)) + chunk("data", samples)), nullptr},
      {"LIST and fact chunks, odd sizes padded",
       riff(chunk("LIST", "abc") + chunk("fmt ", fmt(7, 1, 8000, 8) + le16(0)) +
            chunk("fact", le32(3)) + chunk("data", samples)),
       nullptr},
      {"extensible with the mu-law sub-format",
       riff(chunk("fmt ", fmt(0xFFFE, 1, 8000, 8) + le16(22) + le16(8) + le32(4) + le16(7) +
                              std::string(14, '\x10')) +
            chunk("data", samples)),
       nullptr},
      {"A-law", riff(chunk("fmt ", fmt(6, 1, 8000, 8)) + chunk("data", samples)), "format 6"},
      {"PCM", riff(chunk("fmt ", fmt(1, 1, 8000, 16)) + chunk("data", samples)), "format 1"},
      {"stereo", riff(chunk("fmt ", fmt(7, 2, 8000, 8)) + chunk("data", samples)), "mono"},
      {"16 kHz", riff(chunk("fmt ", fmt(7, 1, 16000, 8)) + chunk("data", samples)), "8000 Hz"},
      {"data before fmt", riff(chunk("data", samples) + chunk("fmt ", fmt(7, 1, 8000, 8))),
       "before the fmt"},
      {"truncated data", riff(chunk("fmt ", fmt(7, 1, 8000, 8)) + "data" + le32(100) + samples),
       "past the end"},
      {"no data", riff(chunk("fmt ", fmt(7, 1, 8000, 8))), "no data chunk"},
      {"not RIFF", std::string{"OggS0000WAVE"}, "RIFF/WAVE"},
      {"empty", std::string{}, "RIFF/WAVE"},
  };
  for (const auto& tc : cases) {
    SCOPED_TRACE(tc.name);
    auto got = mulaw_samples(tc.file);
    if (!tc.error) {
      ASSERT_TRUE(got) << caf::to_string(got.error());
      EXPECT_EQ(*got, (std::vector<uint8_t>{1, 2, 3}));
    } else {
      ASSERT_FALSE(got);
      EXPECT_NE(caf::to_string(got.error()).find(tc.error), std::string::npos)
          << caf::to_string(got.error());
    }
  }
}

TEST(G711Test, MulawToAlawKeepsSilenceSignAndOrder) {
  EXPECT_EQ(mulaw_to_alaw(mulaw_silence), alaw_silence);
  EXPECT_EQ(mulaw_to_alaw(0x7F), alaw_silence);  // μ-law's negative zero
  // Loudest positive and negative codes map to A-law's loudest codes.
  EXPECT_EQ(mulaw_to_alaw(0x80), 0xAA);
  EXPECT_EQ(mulaw_to_alaw(0x00), 0x2A);
  // Louder μ-law (smaller code within a sign) never becomes quieter A-law.
  auto alaw_level = [](uint8_t a) { return (a ^ 0x55) & 0x7F; };
  for (int u = 0x81; u <= 0xFF; ++u)
    EXPECT_GE(alaw_level(mulaw_to_alaw(static_cast<uint8_t>(u - 1))),
              alaw_level(mulaw_to_alaw(static_cast<uint8_t>(u))))
        << u;
}

TEST(CallerIdentityTest, CallingFromAssertedIdentityElseFrom) {
  struct id_case {
    const char* pai;
    const char* from;
    const char* privacy;
    const char* expect;
  };
  const id_case cases[] = {
      {"", "\"Taro\" <sip:09012345678@pbx.example>;tag=1", "", "09012345678"},
      {"<sip:+819012345678@trunk;user=phone>", "<sip:0312345678@pbx>;tag=1", "", "+819012345678"},
      {"<tel:+81-90-1234-5678>", "<sip:x@y>", "", "+819012345678"},
      {"<sip:office@pbx>, <tel:0312345678>", "<sip:x@y>", "", "0312345678"},
      {"", "\"Anonymous\" <sip:anonymous@anonymous.invalid>;tag=9", "", ""},
      {"", "<sip:0312345678@pbx>;tag=1", "id", ""},
      {"<sip:anonymous@pbx>", "<sip:0312345678@pbx>", "", ""},
      {"", "sip:0312345678@pbx;tag=1", "", "0312345678"},
      {"", "<sip:unavailable@pbx>", "", ""},
      {"", "<sip:sipp@127.0.0.1:5061>;tag=1", "", ""},
      {"", "<sip:03-1234-5678@pbx>", "", "0312345678"},
      {"", "garbage", "", ""},
  };
  for (const auto& tc : cases) {
    SCOPED_TRACE(std::string{tc.pai} + " | " + tc.from + " | " + tc.privacy);
    EXPECT_EQ(calling_number(tc.pai, tc.from, tc.privacy), tc.expect);
  }
}

TEST(CallerIdentityTest, DialledNumberFromRequestUser) {
  EXPECT_EQ(dialled_number("05011110001"), "05011110001");
  EXPECT_EQ(dialled_number("+81-50-1111-0001"), "+815011110001");
  EXPECT_EQ(dialled_number("05011110001;phone-context=example.jp"), "05011110001");
  EXPECT_EQ(dialled_number("service"), "");
  EXPECT_EQ(dialled_number(""), "");
}

}  // namespace
}  // namespace ivrcast::gateway
