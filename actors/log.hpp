#pragma once

#include <spdlog/logger.h>

namespace ivrcast::actors {

/// The actors' logger ("actors").
spdlog::logger& logger();

}  // namespace ivrcast::actors
