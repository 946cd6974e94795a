#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

namespace ivrcast::control {

/// Work a request starts but must not wait for (a reset mail: its answer must take the same
/// time whether the address is known or not). One thread, first in first out, bounded: when
/// full, post() refuses and the caller decides. stop() runs what is queued, then joins.
class background_jobs {
 public:
  explicit background_jobs(size_t max_queued);
  ~background_jobs();
  background_jobs(const background_jobs&) = delete;
  background_jobs& operator=(const background_jobs&) = delete;

  [[nodiscard]] bool post(std::function<void()> job);
  void stop();

 private:
  void run();

  size_t max_;
  std::mutex mtx_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> jobs_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace ivrcast::control
