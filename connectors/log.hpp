#pragma once

#include <memory>

#include <spdlog/logger.h>

namespace ivrcast::connectors {

/// The connectors' logger ("connectors"); thread-safe, as librdkafka logs from its threads.
spdlog::logger& logger();

}  // namespace ivrcast::connectors
