#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <string>

#include <gtest/gtest.h>

#include "config/settings.hpp"
#include "messages/errc.hpp"

namespace ivrcast::test {

/// A fresh directory, removed afterwards.
class temp_dir {
 public:
  temp_dir();
  ~temp_dir();
  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

/// `d` times IVRCAST_TEST_TIME_SCALE (1 unless a sanitizer preset sets it): a deadline, never
/// a measurement.
std::chrono::milliseconds scaled(std::chrono::milliseconds d);

/// Polls `pred` until it holds or `deadline` (scaled) passes; a condition, not a sleep.
bool eventually(const std::function<bool()>& pred,
                std::chrono::milliseconds deadline = std::chrono::seconds{60});

/// A loopback port free for TCP right now (the kernel's pick; free for UDP too in practice).
int free_port();
/// Whether nothing holds loopback port `port` for `type` (SOCK_STREAM, SOCK_DGRAM) right now.
bool port_free(int port, int type);

/// Default settings; with IVRCAST_TEST_BROKERS set (the broker tests), a real broker.
/// Topic prefix and group are unique per call so tests never see each other's records.
config::settings settings_for(const std::string& test_name, const std::string& data_dir);

}  // namespace ivrcast::test

#define ASSERT_OK(expr)                                  \
  do {                                                   \
    auto&& ivrcast_result_ = (expr);                     \
    ASSERT_TRUE(static_cast<bool>(ivrcast_result_))      \
        << ::ivrcast::describe(ivrcast_result_.error()); \
  } while (false)
