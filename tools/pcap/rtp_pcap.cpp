#include "tools/pcap/rtp_pcap.hpp"

#include <algorithm>
#include <cstring>
#include <fstream>
#include <sstream>
#include <unordered_map>

namespace ivrcast::tools {

std::vector<rtp_packet> read_rtp_pcap(const std::string& path) {
  std::vector<rtp_packet> out;
  std::ifstream in{path, std::ios::binary};
  std::stringstream b;
  b << in.rdbuf();
  auto f = b.str();
  if (f.size() < 24)
    return out;
  auto u32 = [&](size_t at) {
    uint32_t v;
    std::memcpy(&v, f.data() + at, 4);
    return v;
  };
  uint32_t linktype = u32(20);
  size_t link = linktype == 1 ? 14 : linktype == 113 ? 16 : 4;
  size_t at = 24;
  while (at + 16 <= f.size()) {
    double t = u32(at) + u32(at + 4) / 1e6;
    size_t len = u32(at + 8);
    size_t orig = u32(at + 12);
    at += 16;
    if (at + len > f.size())
      break;
    auto* p = reinterpret_cast<const uint8_t*>(f.data() + at);
    at += len;
    if (len < link + 20)
      continue;
    const uint8_t* ip = p + link;
    size_t ihl = static_cast<size_t>(ip[0] & 0x0F) * 4;
    if ((ip[0] >> 4) != 4 || ip[9] != 17 || len < link + ihl + 8 + 12)
      continue;  // IPv4 UDP with at least an RTP header
    const uint8_t* udp = ip + ihl;
    const uint8_t* r = udp + 8;
    if ((r[0] >> 6) != 2)
      continue;
    rtp_packet pk;
    pk.at_s = t;
    pk.src_port = static_cast<uint16_t>((udp[0] << 8) | udp[1]);
    pk.marker = (r[1] & 0x80) != 0;
    pk.pt = r[1] & 0x7F;
    pk.seq = static_cast<uint16_t>((r[2] << 8) | r[3]);
    pk.ts = (uint32_t{r[4]} << 24) | (uint32_t{r[5]} << 16) | (uint32_t{r[6]} << 8) | r[7];
    pk.ssrc = (uint32_t{r[8]} << 24) | (uint32_t{r[9]} << 16) | (uint32_t{r[10]} << 8) | r[11];
    pk.payload.assign(r + 12, p + len);
    pk.payload_size = orig - link - ihl - 8 - 12;
    out.push_back(std::move(pk));
  }
  return out;
}

rtp_summary summarise(const std::vector<rtp_packet>& s) {
  rtp_summary r;
  r.packets = s.size();
  std::vector<double> gaps;
  for (size_t i = 0; i < s.size(); ++i) {
    if (std::find(r.payload_types.begin(), r.payload_types.end(), s[i].pt) == r.payload_types.end())
      r.payload_types.push_back(s[i].pt);
    if (std::find(r.payload_sizes.begin(), r.payload_sizes.end(), s[i].payload_size) ==
        r.payload_sizes.end())
      r.payload_sizes.push_back(s[i].payload_size);
    bool silent = std::all_of(s[i].payload.begin(), s[i].payload.end(),
                              [](uint8_t x) { return x == 0xFF || x == 0x7F || x == 0xD5; });
    if (!silent)
      ++r.voiced;
    if (i == 0)
      continue;
    if (static_cast<uint16_t>(s[i - 1].seq + 1) != s[i].seq)
      r.seq_continuous = false;
    if (s[i - 1].ts + s[i - 1].payload_size != s[i].ts)
      r.ts_continuous = false;
    gaps.push_back((s[i].at_s - s[i - 1].at_s) * 1000);
  }
  if (!gaps.empty()) {
    std::nth_element(gaps.begin(), gaps.begin() + static_cast<long>(gaps.size() / 2), gaps.end());
    r.median_gap_ms = gaps[gaps.size() / 2];
  }
  return r;
}

std::vector<double> rtp_gaps_ms(const std::vector<rtp_packet>& capture) {
  std::unordered_map<uint32_t, double> last;
  std::vector<double> gaps;
  gaps.reserve(capture.size());
  for (const auto& p : capture) {
    auto [it, fresh] = last.emplace(p.ssrc, p.at_s);
    if (!fresh) {
      gaps.push_back((p.at_s - it->second) * 1000);
      it->second = p.at_s;
    }
  }
  return gaps;
}

}  // namespace ivrcast::tools
