// Quantiles of a benchmark's samples, shared by the benches that print p50/p99.
#pragma once

#include <algorithm>
#include <cstddef>
#include <vector>

namespace ivrcast::bench {

/// The `p` quantile (0 to 1; 1 is the largest) of `samples`, which it sorts; 0 for none.
template <class T>
double percentile(std::vector<T>& samples, double p) {
  if (samples.empty())
    return 0;
  std::sort(samples.begin(), samples.end());
  auto at = static_cast<std::size_t>(p * static_cast<double>(samples.size()));
  return static_cast<double>(samples[std::min(samples.size() - 1, at)]);
}

}  // namespace ivrcast::bench
