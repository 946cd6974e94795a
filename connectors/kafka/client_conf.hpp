#pragma once

#include <map>
#include <string>

#include <caf/expected.hpp>

struct rd_kafka_conf_s;

namespace ivrcast::connectors::kafka {

/// A librdkafka configuration with `base`, then `overrides` (kafka.producer.* / consumer.*);
/// fails naming the key librdkafka refused. The caller owns the result until rd_kafka_new.
[[nodiscard]] caf::expected<rd_kafka_conf_s*> make_conf(
    const std::map<std::string, std::string>& base,
    const std::map<std::string, std::string>& overrides, const char* role);

}  // namespace ivrcast::connectors::kafka
