#include "messages/assert.hpp"

#include <cstdlib>

#include <spdlog/spdlog.h>

namespace ivrcast {

void assert_failed(const char* condition, const char* file, int line, const std::string& message) {
  spdlog::critical("event=assertion_failed condition=\"{}\" at={}:{} detail=\"{}\"", condition,
                   file, line, message);
  spdlog::shutdown();  // flushed before the abort
  std::abort();
}

}  // namespace ivrcast
