#include "sms/log_filter.hpp"

namespace ivrcast::sms {

bool log_filter::matches(const log_row& r) const {
  if (statuses != 0 && (statuses & (1u << static_cast<unsigned>(r.status))) == 0)
    return false;
  if (!incoming_number.empty() && r.incoming_number != incoming_number)
    return false;
  if (!campaign_id.empty() && r.flow_version_id != campaign_id)
    return false;
  return !arrived || arrival_of(r.status) == *arrived;
}

std::optional<delivery_status> status_named(std::string_view name) {
  for (uint32_t v = 1; v <= 32; ++v) {
    auto s = status_from(v);
    if (!s)
      break;
    if (metric_name(*s) == name)
      return s;
  }
  return std::nullopt;
}

std::optional<arrival> arrival_named(std::string_view name) {
  if (name == "delivered")
    return arrival::delivered;
  if (name == "undelivered")
    return arrival::undelivered;
  if (name == "pending")
    return arrival::pending;
  return std::nullopt;
}

}  // namespace ivrcast::sms
