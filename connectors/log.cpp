#include "connectors/log.hpp"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

namespace ivrcast::connectors {

spdlog::logger& logger() {
  static auto instance = [] {
    auto l = spdlog::get("connectors");
    return l ? l : spdlog::stderr_color_mt("connectors");
  }();
  return *instance;
}

}  // namespace ivrcast::connectors
