#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include <caf/expected.hpp>

namespace ivrcast::gateway {

/// The G.711 μ-law samples of a WAV file that is 8 kHz, μ-law, mono (format 7, or
/// WAVE_FORMAT_EXTENSIBLE with the μ-law sub-format). Chunks are walked by their sizes (padding
/// bytes, LIST and fact chunks, a fmt chunk after others); a truncated data chunk is refused, as
/// is any other format. Fails with errc::bad_input naming the broken rule. Pure.
[[nodiscard]] caf::expected<std::vector<uint8_t>> mulaw_samples(std::string_view file);

}  // namespace ivrcast::gateway
