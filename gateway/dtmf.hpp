#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace ivrcast::gateway {

/// One RFC 4733 telephone-event payload (the first four bytes; redundant blocks ignored).
struct telephone_event {
  uint8_t event = 0;
  bool end = false;
  uint16_t duration = 0;
};

/// Parses a telephone-event payload; nullopt when shorter than 4 bytes.
std::optional<telephone_event> parse_telephone_event(std::span<const uint8_t> payload);

/// The key of an RFC 4733 event code: '0'-'9', '*', '#', 'A'-'D'; 0 for other events.
char event_key(uint8_t event);

/// The key of a SIP INFO body: `application/dtmf-relay` ("Signal=5\r\nDuration=160") or
/// `application/dtmf` ("5"); 0 when the body names no key or the type is another one.
char info_key(std::string_view content_type, std::string_view body);

/// Turns a call's RFC 4733 packets into key presses. A press is identified by its RTP source
/// and timestamp (RFC 4733 §2.5.1.3: every packet of one event carries the event's start
/// timestamp), so repeated end packets, a lost first packet or a lost end packet each still
/// give exactly one key, and the marker bit is never needed. A packet of a known press that
/// comes after `repeat_window_ms` of silence from it starts a new press: senders that replay a
/// recording (same timestamps each time, as SIPp's pcaps do) are heard once per replay.
/// Pure: the caller passes the time. One per call, used on the gateway's loop thread.
class dtmf_detector {
 public:
  static constexpr int64_t repeat_window_ms = 250;

  /// The key this packet starts, or 0 when it continues (or ends) a press already reported.
  char packet(uint32_t ssrc, uint32_t timestamp, const telephone_event& ev, int64_t now_ms);

 private:
  struct press {
    uint32_t ssrc = 0;
    uint32_t timestamp = 0;
    int64_t last_ms = INT64_MIN / 2;
    bool used = false;
  };
  std::array<press, 4> recent_{};  // a handful covers reordering between adjacent presses
  size_t next_slot_ = 0;
};

}  // namespace ivrcast::gateway
