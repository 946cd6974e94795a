#pragma once

#include <cstdint>

namespace ivrcast::gateway {

/// The G.711 A-law code of a μ-law code (ITU-T G.711's conversion through linear PCM).
uint8_t mulaw_to_alaw(uint8_t mulaw);

/// μ-law and A-law codes of digital silence.
inline constexpr uint8_t mulaw_silence = 0xFF;
inline constexpr uint8_t alaw_silence = 0xD5;

}  // namespace ivrcast::gateway
