#include "gateway/g711.hpp"

#include <array>
#include <cstddef>

namespace ivrcast::gateway {
namespace {

int16_t mulaw_linear(uint8_t u) {
  u = static_cast<uint8_t>(~u);
  int t = ((u & 0x0F) << 3) + 0x84;
  t <<= (u & 0x70) >> 4;
  return static_cast<int16_t>((u & 0x80) ? (0x84 - t) : (t - 0x84));
}

uint8_t linear_alaw(int16_t pcm) {
  int v = pcm >> 3;  // A-law codes 13 bits
  int mask = 0xD5;   // sign bit set, even bits inverted
  if (v < 0) {
    mask = 0x55;
    v = -v - 1;
  }
  static constexpr int seg_end[8] = {0x1F, 0x3F, 0x7F, 0xFF, 0x1FF, 0x3FF, 0x7FF, 0xFFF};
  int seg = 0;
  while (seg < 8 && v > seg_end[seg])
    ++seg;
  if (seg >= 8)
    return static_cast<uint8_t>(0x7F ^ mask);
  int aval = seg << 4;
  aval |= seg < 2 ? (v >> 1) & 0x0F : (v >> seg) & 0x0F;
  return static_cast<uint8_t>(aval ^ mask);
}

std::array<uint8_t, 256> make_table() {
  std::array<uint8_t, 256> t{};
  for (int i = 0; i < 256; ++i)
    t[static_cast<std::size_t>(i)] = linear_alaw(mulaw_linear(static_cast<uint8_t>(i)));
  return t;
}

}  // namespace

uint8_t mulaw_to_alaw(uint8_t mulaw) {
  static const auto table = make_table();
  return table[mulaw];
}

}  // namespace ivrcast::gateway
