#pragma once

#include <cstdint>
#include <memory>

#include <caf/expected.hpp>

#include "config/settings.hpp"

namespace ivrcast::connectors::kafka {
class bus;
}

namespace ivrcast::gateway {

/// Counters of a running gateway (monotonic, read from any thread).
struct gateway_stats {
  uint64_t offered = 0;         // INVITEs with a usable offer
  uint64_t answered = 0;        // calls answered after their first command
  uint64_t refused = 0;         // INVITEs refused (404, 488, 503 ...)
  uint64_t ended = 0;           // calls over, every reason
  uint64_t live = 0;            // calls now
  uint64_t packets = 0;         // RTP packets sent
  uint64_t keys = 0;            // key presses heard (RFC 4733 and INFO)
  uint64_t commands = 0;        // commands executed (duplicates not counted)
  uint64_t audio_failures = 0;  // prompts whose audio could not be fetched or was refused
  uint64_t late_ticks = 0;      // media ticks that ran more than one period late
};

/// `ivrcast gateway`: the SIP/RTP edge of docs/gateway-protocol.md. Answers SIP calls
/// (connectors/sip), turns them into CallEvents on the events topic, executes the nodes'
/// CallCommands keyed by its gateway id (call_script), streams prompts fetched from their
/// audio_url over RTP and hears keys. One loop thread owns calls and media; Kafka and audio
/// fetches run on their own threads and hand results over through the endpoint's wake.
class sip_gateway {
 public:
  /// Listens and starts; first ends, as NETWORK_ERROR, the calls a previous run left open.
  [[nodiscard]] static caf::expected<std::unique_ptr<sip_gateway>> start(
      const connectors::kafka::bus& b, const config::gateway_settings& s);
  ~sip_gateway();

  /// Ends every live call (ended{NETWORK_ERROR} after BYE), flushes the events, stops.
  void stop();
  gateway_stats stats() const;

  struct impl;

 private:
  explicit sip_gateway(std::unique_ptr<impl> p);
  std::unique_ptr<impl> impl_;
};

}  // namespace ivrcast::gateway
