#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace ivrcast::tools {

/// One RTP packet of a capture.
struct rtp_packet {
  double at_s = 0;  // capture time
  uint16_t src_port = 0;
  uint8_t pt = 0;
  bool marker = false;
  uint16_t seq = 0;
  uint32_t ts = 0;
  uint32_t ssrc = 0;
  std::vector<uint8_t> payload;  // as captured (may be cut by the snap length)
  size_t payload_size = 0;       // as sent
};

/// The RTP (version 2) packets over UDP/IPv4 of a pcap file written by tcpdump (Ethernet,
/// Linux cooked or loopback link types), in capture order; other packets are skipped. Empty if
/// the file cannot be read. For tests and benchmarks that check what reached a SIP peer.
std::vector<rtp_packet> read_rtp_pcap(const std::string& path);

/// What a received RTP stream (one source) looks like.
struct rtp_summary {
  size_t packets = 0;
  std::vector<uint8_t> payload_types;  // distinct, in order of appearance
  std::vector<size_t> payload_sizes;   // distinct
  bool seq_continuous = true;
  bool ts_continuous = true;  // +payload size every packet (8 kHz G.711)
  double median_gap_ms = 0;
  size_t voiced = 0;  // packets that are not G.711 digital silence
};

rtp_summary summarise(const std::vector<rtp_packet>& stream);

/// Inter-arrival gaps of every source of a capture (each SSRC its own stream), in ms.
std::vector<double> rtp_gaps_ms(const std::vector<rtp_packet>& capture);

}  // namespace ivrcast::tools
