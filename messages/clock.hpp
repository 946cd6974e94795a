#pragma once

#include <chrono>
#include <cstdint>

namespace ivrcast {

/// Wall-clock Unix time in milliseconds: the unit of every timestamp on our topics.
inline int64_t unix_now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace ivrcast
