#pragma once

#include <cstdint>
#include <string_view>

namespace ivrcast {

/// FNV-1a of `s`, continuing from `h` (chain calls to hash several pieces): stable across runs
/// and machines, for ids derived from content. Not for anything an attacker may choose.
inline uint64_t fnv1a(std::string_view s, uint64_t h = 1469598103934665603ULL) {
  for (char c : s)
    h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ULL;
  return h;
}

}  // namespace ivrcast
