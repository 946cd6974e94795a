#include "ivr/abuse_guard.hpp"

namespace ivrcast::ivr {

abuse_guard::abuse_guard(int max_sms, int64_t window_ms)
    : max_sms_(max_sms), window_ms_(window_ms) {}

bool abuse_guard::allow(std::string_view flow_key, std::string_view destination, int64_t now_ms) {
  std::string key;
  key.reserve(flow_key.size() + destination.size() + 1);
  key.append(flow_key).append(1, '\0').append(destination);
  auto& times = sent_[key];
  while (!times.empty() && times.front() <= now_ms - window_ms_)
    times.pop_front();
  if (static_cast<int>(times.size()) >= max_sms_)
    return false;
  times.push_back(now_ms);
  return true;
}

void abuse_guard::prune(int64_t now_ms) {
  for (auto i = sent_.begin(); i != sent_.end();) {
    auto& times = i->second;
    while (!times.empty() && times.front() <= now_ms - window_ms_)
      times.pop_front();
    i = times.empty() ? sent_.erase(i) : std::next(i);
  }
}

}  // namespace ivrcast::ivr
