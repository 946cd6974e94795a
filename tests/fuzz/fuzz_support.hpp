#pragma once

// Shared by the libFuzzer harnesses: how an input carries two fields, and how a broken
// invariant stops the run (libFuzzer saves the input that did it).

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>
#include <utility>

#include <google/protobuf/stubs/logging.h>

namespace ivrcast::fuzz {

inline std::string_view as_text(const uint8_t* data, size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

/// A record key and value (or two files) in one input: split at the first NUL; no NUL means
/// an empty first part. The seed corpora are written the same way.
inline std::pair<std::string_view, std::string_view> split_at_nul(std::string_view in) {
  auto nul = in.find('\0');
  if (nul == std::string_view::npos)
    return {{}, in};
  return {in.substr(0, nul), in.substr(nul + 1)};
}

/// Protobuf logs every string field that is not UTF-8: millions of lines that would slow the
/// run down. The decoders' answers are what the harnesses check.
inline void quiet_protobuf() {
  google::protobuf::SetLogHandler(nullptr);
}

[[noreturn]] inline void broken(const char* what) {
  std::fprintf(stderr, "fuzz invariant broken: %s\n", what);
  std::abort();
}

#define IVRCAST_FUZZ_CHECK(cond)      \
  do {                                \
    if (!(cond))                      \
      ::ivrcast::fuzz::broken(#cond); \
  } while (false)

}  // namespace ivrcast::fuzz
