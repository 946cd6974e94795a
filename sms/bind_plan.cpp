#include "sms/bind_plan.hpp"

#include <algorithm>

namespace ivrcast::sms {

bind_plan::bind_plan(int partitions, int connections)
    : partitions_(std::max(1, partitions)), connections_(std::max(1, connections)) {}

int32_t bind_plan::home(int32_t partition) const {
  auto with_slots = std::min(partitions_, connections_);
  return partition < with_slots ? partition : partition % with_slots;
}

std::vector<int> bind_plan::slots(int32_t partition) const {
  std::vector<int> out;
  for (int j = partition; j >= 0 && j < connections_; j += partitions_)
    out.push_back(j);
  return out;
}

int bind_plan::binds(std::span<const int32_t> owned) const {
  int n = 0;
  for (auto p : owned)
    n += static_cast<int>(slots(p).size());
  return n;
}

double bind_plan::rate_share(int rate, int binds) const {
  return static_cast<double>(rate) * binds / connections_;
}

}  // namespace ivrcast::sms
