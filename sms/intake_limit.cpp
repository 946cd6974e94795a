#include "sms/intake_limit.hpp"

#include <algorithm>

namespace ivrcast::sms {

intake_limit::intake_limit(size_t limit) : limit_(std::max<size_t>(limit, 1)) {}

bool intake_limit::admit(carrier c, size_t load, int32_t partition, int64_t offset) {
  auto& left = left_[static_cast<size_t>(c)];
  // Behind a job left, the carrier's later jobs in the partition wait too, even with room: a
  // destination's jobs go in the order read, which the abuse guard decides by.
  if (load < limit_ && !left.contains(partition))
    return true;
  lower(left, partition, offset);
  return false;
}

void intake_limit::rewinds(std::span<const size_t, 4> loads, std::vector<rewind>& out) {
  std::map<int32_t, int64_t> due = std::move(retry_);
  retry_.clear();
  for (size_t c = 0; c < left_.size(); ++c) {
    if (left_[c].empty() || loads[c] > limit_ / 2)
      continue;
    for (auto [partition, offset] : left_[c])
      lower(due, partition, offset);
    left_[c].clear();
  }
  for (auto [partition, offset] : due)
    if (auto it = next_.find(partition); it == next_.end() || offset < it->second)
      out.push_back({partition, offset});
}

void intake_limit::reading(int32_t partition, int64_t next) {
  next_[partition] = next;
}

void intake_limit::again(rewind r) {
  lower(retry_, r.partition, r.offset);
}

void intake_limit::forget(int32_t partition) {
  for (auto& by_partition : left_)
    by_partition.erase(partition);
  retry_.erase(partition);
  next_.erase(partition);
}

bool intake_limit::waiting() const {
  return !retry_.empty() ||
         std::any_of(left_.begin(), left_.end(), [](const auto& m) { return !m.empty(); });
}

void intake_limit::lower(std::map<int32_t, int64_t>& to, int32_t partition, int64_t offset) {
  auto [it, inserted] = to.try_emplace(partition, offset);
  if (!inserted)
    it->second = std::min(it->second, offset);
}

}  // namespace ivrcast::sms
