#include "control/background_jobs.hpp"

namespace ivrcast::control {

background_jobs::background_jobs(size_t max_queued) : max_(max_queued) {
  thread_ = std::thread{[this] { run(); }};
}

background_jobs::~background_jobs() {
  stop();
}

bool background_jobs::post(std::function<void()> job) {
  {
    std::lock_guard<std::mutex> guard{mtx_};
    if (stopping_ || jobs_.size() >= max_)
      return false;
    jobs_.push_back(std::move(job));
  }
  cv_.notify_one();
  return true;
}

void background_jobs::stop() {
  {
    std::lock_guard<std::mutex> guard{mtx_};
    if (stopping_)
      return;
    stopping_ = true;
  }
  cv_.notify_one();
  if (thread_.joinable())
    thread_.join();
}

void background_jobs::run() {
  std::unique_lock<std::mutex> lock{mtx_};
  while (true) {
    cv_.wait(lock, [this] { return stopping_ || !jobs_.empty(); });
    if (jobs_.empty())
      return;  // stopping, and all done
    auto job = std::move(jobs_.front());
    jobs_.pop_front();
    lock.unlock();
    job();
    lock.lock();
  }
}

}  // namespace ivrcast::control
