#include "gateway/log.hpp"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

namespace ivrcast::gateway {

spdlog::logger& logger() {
  static auto instance = [] {
    auto l = spdlog::get("gateway");
    return l ? l : spdlog::stderr_color_mt("gateway");
  }();
  return *instance;
}

}  // namespace ivrcast::gateway
