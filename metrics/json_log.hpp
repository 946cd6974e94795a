#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include <spdlog/formatter.h>

namespace ivrcast::metrics {

/// One log line as a JSON object: `ts` (UTC, milliseconds), `level`, `logger`, then the
/// message's key=value pairs as fields (a quoted value unquoted, an integer as a number); text
/// that is not key=value goes in `msg`. No newline.
std::string json_log_line(int64_t unix_ms, std::string_view level, std::string_view logger,
                          std::string_view message);

/// An spdlog formatter writing json_log_line (node.log_format = json).
std::unique_ptr<spdlog::formatter> json_log_formatter();

}  // namespace ivrcast::metrics
