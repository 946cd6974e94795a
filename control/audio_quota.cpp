#include "control/audio_quota.hpp"

#include <algorithm>

namespace ivrcast::control {

audio_plan plan_audio(std::span<const wire::AudioUse> ledger, const std::set<std::string>& used,
                      int64_t now_ms, int64_t grace_ms) {
  audio_plan out;
  for (const auto& u : ledger) {
    bool in_use = used.contains(u.audio_id());
    if (in_use && u.released_at_ms() != 0) {
      out.reuse.push_back(u);
      out.reuse.back().set_released_at_ms(0);
    } else if (!in_use && u.released_at_ms() == 0) {
      out.release.push_back(u);
      out.release.back().set_released_at_ms(now_ms);
    } else if (!in_use && now_ms - u.released_at_ms() >= grace_ms) {
      out.sweep.push_back(u);
    }
  }
  return out;
}

uint64_t stored_bytes(std::span<const wire::AudioUse> ledger) {
  uint64_t sum = 0;
  for (const auto& u : ledger)
    sum += u.bytes();
  return sum;
}

bool stores(std::span<const wire::AudioUse> ledger, const std::string& audio_id) {
  return std::any_of(ledger.begin(), ledger.end(),
                     [&](const wire::AudioUse& u) { return u.audio_id() == audio_id; });
}

bool fits_quota(std::span<const wire::AudioUse> ledger, const std::string& audio_id,
                uint64_t wav_bytes, uint64_t quota_bytes) {
  return stores(ledger, audio_id) || stored_bytes(ledger) + wav_bytes <= quota_bytes;
}

}  // namespace ivrcast::control
