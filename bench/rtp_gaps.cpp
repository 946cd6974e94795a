// ivrcast_rtp_gaps FILE.pcap: inter-arrival gaps of every RTP source in a capture, for
// bench/sip.sh. Prints one line: streams, packets, gap p50/p99/p999/max in ms.

#include <algorithm>
#include <cstdio>
#include <set>

#include "tools/pcap/rtp_pcap.hpp"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: ivrcast_rtp_gaps FILE.pcap\n");
    return 2;
  }
  auto packets = ivrcast::tools::read_rtp_pcap(argv[1]);
  auto gaps = ivrcast::tools::rtp_gaps_ms(packets);
  std::set<uint32_t> sources;
  for (const auto& p : packets)
    sources.insert(p.ssrc);
  if (gaps.empty()) {
    std::printf("RTP streams=0 packets=%zu\n", packets.size());
    return 1;
  }
  std::sort(gaps.begin(), gaps.end());
  auto at = [&](double q) {
    return gaps[static_cast<size_t>(q * static_cast<double>(gaps.size() - 1))];
  };
  std::printf(
      "RTP streams=%zu packets=%zu gap_p50_ms=%.2f gap_p99_ms=%.2f gap_p999_ms=%.2f "
      "gap_max_ms=%.2f\n",
      sources.size(), packets.size(), at(0.5), at(0.99), at(0.999), gaps.back());
  return 0;
}
