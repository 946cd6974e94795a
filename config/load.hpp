#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include <caf/expected.hpp>

#include "config/settings.hpp"

namespace ivrcast::config {

/// Reads an environment variable; replaceable in tests.
using env_lookup = std::function<const char*(const char*)>;
/// The names of every environment variable (for the passthrough keys, which no schema lists).
using env_names = std::function<std::vector<std::string>()>;

/// The names of this process's environment variables.
std::vector<std::string> process_env_names();

/// Settings from defaults, then the `key = value` file at `path` (empty: none), then
/// IVRCAST_<KEY> environment variables (dots and dashes become underscores). The librdkafka
/// passthrough keys come from IVRCAST_KAFKA_PRODUCER_<PROPERTY> and IVRCAST_KAFKA_CONSUMER_
/// <PROPERTY> among `names` (underscores become dots, lower case: IVRCAST_KAFKA_PRODUCER_SASL_
/// PASSWORD is kafka.producer.sasl.password), so secrets need not sit in files. Fails with
/// errc::bad_config naming every unknown or invalid key and its rule.
[[nodiscard]] caf::expected<settings> load(const std::string& path, const env_lookup& env,
                                           const env_names& names = {});

/// The same from text already in memory; `origin` names it in errors.
[[nodiscard]] caf::expected<settings> parse(std::string_view text, std::string_view origin,
                                            const env_lookup& env, const env_names& names = {});

/// Markdown table of every key: name, default, description (for the README).
std::string reference();

/// "host:port" with a non-empty host and a port from 1 to 65535; false (nothing set) otherwise.
bool host_port(std::string_view v, std::string& host, int& port);

}  // namespace ivrcast::config
