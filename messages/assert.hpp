#pragma once

#include <string>

#include <fmt/format.h>

namespace ivrcast {

/// Logs the broken invariant at critical level and aborts (IVRCAST_ASSERT).
[[noreturn]] void assert_failed(const char* condition, const char* file, int line,
                                const std::string& message);

}  // namespace ivrcast

/// A broken invariant is a bug, never an expected failure: it is logged with what the code
/// knew and the process aborts (Kafka replay repairs state). Expected failures are values.
#define IVRCAST_ASSERT(cond, ...)                                                    \
  do {                                                                               \
    if (!(cond)) [[unlikely]]                                                        \
      ::ivrcast::assert_failed(#cond, __FILE__, __LINE__, fmt::format(__VA_ARGS__)); \
  } while (false)
