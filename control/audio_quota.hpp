#pragma once

#include <cstdint>
#include <set>
#include <span>
#include <string>
#include <vector>

#include "messages/control.pb.h"

namespace ivrcast::control {

/// How long a released upload is kept before it is swept: longer than any call can last, so a
/// call that began on the flow version using it still plays it to the end.
inline constexpr int64_t audio_sweep_grace_ms = 60LL * 60 * 1000;

/// What an account's uploads (`AudioUse` ledger) need now that its drafts and published flows
/// use exactly `used`.
struct audio_plan {
  std::vector<wire::AudioUse> release;  // used no more: released at `now`
  std::vector<wire::AudioUse> reuse;    // released before, used again: in use
  std::vector<wire::AudioUse> sweep;    // released longer than the grace: to delete
};

audio_plan plan_audio(std::span<const wire::AudioUse> ledger, const std::set<std::string>& used,
                      int64_t now_ms, int64_t grace_ms = audio_sweep_grace_ms);

/// Bytes the ledger counts against the account's quota: every upload not swept yet.
uint64_t stored_bytes(std::span<const wire::AudioUse> ledger);

/// Whether the account stores `audio_id` already.
bool stores(std::span<const wire::AudioUse> ledger, const std::string& audio_id);

/// Whether storing `wav_bytes` more as `audio_id` keeps the account within `quota_bytes` (an
/// upload it stores already costs nothing).
bool fits_quota(std::span<const wire::AudioUse> ledger, const std::string& audio_id,
                uint64_t wav_bytes, uint64_t quota_bytes);

}  // namespace ivrcast::control
