#include "metrics/latency_histogram.hpp"

#include <algorithm>

namespace ivrcast::metrics {

void latency_histogram::observe_ms(int64_t ms) noexcept {
  ms = std::max<int64_t>(ms, 0);  // clocks of two hosts may disagree by a little
  auto s = static_cast<double>(ms) / 1000.0;
  auto it = std::lower_bound(bounds_s.begin(), bounds_s.end(), s);
  buckets_[static_cast<size_t>(it - bounds_s.begin())].fetch_add(1, std::memory_order_relaxed);
  sum_us_.fetch_add(static_cast<uint64_t>(ms) * 1000, std::memory_order_relaxed);
}

latency_histogram::snapshot latency_histogram::read() const noexcept {
  snapshot out;
  uint64_t running = 0;
  for (size_t i = 0; i < buckets_.size(); ++i) {
    running += buckets_[i].load(std::memory_order_relaxed);
    out.cumulative[i] = running;
  }
  out.sum_s = static_cast<double>(sum_us_.load(std::memory_order_relaxed)) / 1e6;
  return out;
}

}  // namespace ivrcast::metrics
