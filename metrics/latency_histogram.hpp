#pragma once

#include <array>
#include <atomic>
#include <cstdint>

namespace ivrcast::metrics {

/// A latency histogram with fixed buckets, lock-free to observe (one relaxed add per bucket and
/// one for the sum), so hot paths can own one by value and scrapes read it at any time.
class latency_histogram {
 public:
  /// Upper bounds in seconds, as Prometheus names them (`le`); +Inf is implied.
  static constexpr std::array<double, 14> bounds_s{0.001, 0.0025, 0.005, 0.01, 0.02, 0.05, 0.1,
                                                   0.2,   0.5,    1,     2,    5,    10,   30};

  void observe_ms(int64_t ms) noexcept;

  struct snapshot {
    std::array<uint64_t, bounds_s.size() + 1> cumulative{};  // the last one is +Inf: the count
    double sum_s = 0;
    uint64_t count() const { return cumulative.back(); }
  };
  snapshot read() const noexcept;

 private:
  std::array<std::atomic<uint64_t>, bounds_s.size() + 1> buckets_{};  // not cumulative
  std::atomic<uint64_t> sum_us_{0};
};

}  // namespace ivrcast::metrics
