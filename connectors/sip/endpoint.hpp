#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include <caf/expected.hpp>

namespace ivrcast::connectors::sip {

/// The audio codec negotiated for a call.
enum class codec : uint8_t { pcmu, pcma };

/// What the offer and our answer agreed on.
struct media_params {
  codec audio = codec::pcmu;
  uint8_t audio_pt = 0;
  int telephone_event_pt = -1;  // the offer's payload type; -1: not offered
  int ptime_ms = 20;            // the offer's a=ptime when 10, 20 or 30; else 20
};

/// An INVITE as the handler sees it. Views are valid during the call of `offered` only.
struct incoming_call {
  std::string_view request_user;       // Request-URI user part
  std::string_view asserted_identity;  // P-Asserted-Identity, empty when absent
  std::string_view from;               // From header value
  std::string_view privacy;            // Privacy header, empty when absent
  media_params media;
};

/// Why a call ended without our `hangup` or `reject`.
enum class close_reason : uint8_t {
  caller_bye,     // BYE from the caller
  caller_cancel,  // CANCEL before we answered
  no_ack,         // our 200 OK was never acknowledged
  failed,         // a transport or protocol failure
};

/// What the endpoint tells the gateway. Every call comes from the endpoint's loop thread.
class endpoint_handler {
 public:
  virtual ~endpoint_handler() = default;
  /// A new INVITE with a usable offer; 100 Trying is sent, 180 Ringing follows when this
  /// returns 0. Any other value is the SIP status to refuse the call with (404, 503, ...).
  virtual int offered(uint64_t call, const incoming_call& c) = 0;
  /// The call is gone (its handle is invalid afterwards). Not called after hangup/reject.
  virtual void closed(uint64_t call, close_reason why) = 0;
  /// A telephone-event RTP packet (RFC 4733) of the call.
  virtual void telephone_event(uint64_t call, uint32_t ssrc, uint32_t timestamp,
                               std::span<const uint8_t> payload) = 0;
  /// A SIP INFO request of the call (already answered 200).
  virtual void info(uint64_t call, std::string_view content_type, std::string_view body) = 0;
  /// A re-INVITE put the call on hold (true) or took it off (false).
  virtual void hold(uint64_t call, bool held) = 0;
  /// The loop's tick, every `tick_ms` on a grid of CLOCK_MONOTONIC.
  virtual void tick() = 0;
  /// Another thread called `wake()`.
  virtual void woken() = 0;
};

struct endpoint_options {
  std::string host;            // SIP and RTP listen address
  int port = 5060;             // SIP, UDP and TCP
  std::string public_address;  // SDP c= and Contact; empty: host
  int rtp_port_min = 20000;
  int rtp_port_max = 39999;
  int max_calls = 5000;  // sizes libre's fd table and hash tables
  int tick_ms = 10;
  int realtime_priority = 0;  // SCHED_FIFO priority of the loop thread; 0: normal
};

/// A SIP user agent server on libre 1.1.0: answers INVITEs with PCMU or PCMA and
/// telephone-event, sends and receives RTP, answers OPTIONS, UPDATE and INFO, follows hold
/// re-INVITEs. It owns one thread running libre's loop, where every libre object lives and
/// every handler runs; the methods below (except wake) must be called on that thread, i.e.
/// from inside a handler.
class endpoint {
 public:
  /// Starts the loop thread and listens; fails naming what could not be set up.
  [[nodiscard]] static caf::expected<std::unique_ptr<endpoint>> open(const endpoint_options& o,
                                                                     endpoint_handler& h);
  ~endpoint();
  endpoint(const endpoint&) = delete;
  endpoint& operator=(const endpoint&) = delete;

  /// Ends every call (BYE or 503), stops the loop and joins its thread. Any thread but the loop.
  void stop();
  /// Makes the loop call `woken()` soon; thread-safe, coalesces (several wakes, one call).
  void wake();

  /// 200 OK with our SDP answer.
  void answer(uint64_t call);
  /// Refuses a call not answered yet with `status` (4xx-6xx).
  void reject(uint64_t call, int status, const char* reason);
  /// Ends the call: BYE when answered, else 480. No `closed` follows.
  void hangup(uint64_t call);
  /// Sends one RTP packet of the negotiated audio codec; `samples` of `payload` advance the
  /// timestamp. Does nothing while the call is on hold or has no remote address.
  void send_audio(uint64_t call, std::span<const uint8_t> payload, bool marker);
  /// CLOCK_MONOTONIC ms when the call last received RTP (its answer time before any came).
  int64_t last_rtp_ms(uint64_t call) const;

  struct impl;

 private:
  explicit endpoint(std::unique_ptr<impl> p);
  std::unique_ptr<impl> impl_;
};

/// CLOCK_MONOTONIC in milliseconds: the one clock of the gateway's timers and media.
int64_t monotonic_ms();

}  // namespace ivrcast::connectors::sip
