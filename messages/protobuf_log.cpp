#include "messages/protobuf_log.hpp"

#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>

#include <google/protobuf/stubs/logging.h>
#include <spdlog/spdlog.h>

#include "messages/text.hpp"

namespace ivrcast::messages {
namespace {

constexpr int lines_per_minute = 10;

struct window {
  std::mutex mtx;
  int64_t started_s = 0;
  int lines = 0;
  uint64_t left_out = 0;
};

window& log_window() {
  static window w;
  return w;
}

void to_spdlog(google::protobuf::LogLevel level, const char* file, int line,
               const std::string& message) {
  auto now_s = std::chrono::duration_cast<std::chrono::seconds>(
                   std::chrono::steady_clock::now().time_since_epoch())
                   .count();
  uint64_t left_out = 0;
  {
    auto& w = log_window();
    std::lock_guard<std::mutex> guard{w.mtx};
    if (now_s - w.started_s >= 60) {
      w.started_s = now_s;
      w.lines = 0;
      left_out = w.left_out;
      w.left_out = 0;
    }
    if (++w.lines > lines_per_minute && level < google::protobuf::LOGLEVEL_FATAL) {
      ++w.left_out;
      return;
    }
  }
  auto lvl = level >= google::protobuf::LOGLEVEL_ERROR     ? spdlog::level::warn
             : level == google::protobuf::LOGLEVEL_WARNING ? spdlog::level::warn
                                                           : spdlog::level::info;
  spdlog::log(lvl, "event=protobuf_log at={}:{} left_out_last_minute={} message=\"{}\"", file, line,
              left_out, log_escaped(message));
}

}  // namespace

void route_protobuf_logs() {
  google::protobuf::SetLogHandler(to_spdlog);
}

}  // namespace ivrcast::messages
