#pragma once

#include <chrono>
#include <cstdint>

namespace ivrcast::actors {

/// Milliseconds on the actor clock of `self`: steady time in production, the test clock under
/// CAF's testing scheduler, so deadlines and windows are driven by tests without sleeping.
template <class Self>
int64_t clock_ms(Self* self) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             self->clock().now().time_since_epoch())
      .count();
}

}  // namespace ivrcast::actors
