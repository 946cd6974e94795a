#pragma once

#include <spdlog/logger.h>

namespace ivrcast::gateway {

/// The SIP gateway's logger ("gateway"); thread-safe.
spdlog::logger& logger();

}  // namespace ivrcast::gateway
