#pragma once

#include <functional>
#include <string>
#include <string_view>

#include <caf/expected.hpp>

#include "config/settings.hpp"

namespace ivrcast::config {

/// Reads an environment variable; replaceable in tests.
using env_lookup = std::function<const char*(const char*)>;

/// Settings from defaults, then the `key = value` file at `path` (empty: none), then
/// IVRCAST_<KEY> environment variables (dots and dashes become underscores). Fails with
/// errc::bad_config naming every unknown or invalid key and its rule.
[[nodiscard]] caf::expected<settings> load(const std::string& path, const env_lookup& env);

/// The same from text already in memory; `origin` names it in errors.
[[nodiscard]] caf::expected<settings> parse(std::string_view text, std::string_view origin,
                                            const env_lookup& env);

/// Markdown table of every key: name, default, description (for the README).
std::string reference();

}  // namespace ivrcast::config
