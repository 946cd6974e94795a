#include "actors/log.hpp"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

namespace ivrcast::actors {

spdlog::logger& logger() {
  static auto instance = [] {
    auto l = spdlog::get("actors");
    return l ? l : spdlog::stderr_color_mt("actors");
  }();
  return *instance;
}

}  // namespace ivrcast::actors
