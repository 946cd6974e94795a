#include "sms/abuse_window.hpp"

#include <algorithm>

namespace ivrcast::sms {

bool abuse_window::decide(std::vector<allowed_sms>& allowed, std::string_view message_id,
                          int64_t at_ms) const {
  for (const auto& a : allowed)
    if (a.message_id == message_id)
      return true;
  auto in_window = [&](const allowed_sms& a) {
    return a.at_ms > at_ms - window_ms_ && a.at_ms <= at_ms;
  };
  auto count = std::count_if(allowed.begin(), allowed.end(), in_window);
  if (count >= max_sms_)
    return false;
  // Entries older than the window can decide nothing any more; later ones (a clock behind)
  // stay.
  std::erase_if(allowed, [&](const allowed_sms& a) { return a.at_ms <= at_ms - window_ms_; });
  allowed.push_back({std::string{message_id}, at_ms});
  return true;
}

std::string guard_key(std::string_view incoming_number, std::string_view destination) {
  std::string k{"guard/"};
  k += incoming_number;
  k += '/';
  k += destination;
  return k;
}

}  // namespace ivrcast::sms
