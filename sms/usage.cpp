#include "sms/usage.hpp"

#include <algorithm>

#include "messages/clock.hpp"

namespace ivrcast::sms {
namespace {

bool shows_parts_at_carrier(const wire::SendRecord& r) {
  return r.state() == wire::SendRecord::SUBMITTED ||
         (r.state() == wire::SendRecord::CLOSED && r.smsc_ids_size() > 0);
}

}  // namespace

uint32_t jst_month(int64_t unix_ms) {
  return jst_day(unix_ms) / 100;
}

std::optional<usage_increment> billable(const wire::SendRecord& now) {
  if (!shows_parts_at_carrier(now))
    return std::nullopt;
  if (now.carrier() < 1 || now.carrier() > static_cast<int32_t>(all_carriers.size()))
    return std::nullopt;  // not ours: the view refuses such records
  usage_increment out;
  out.account = now.account_id();
  out.month = jst_month(now.at_ms());
  out.via = static_cast<carrier>(now.carrier() - 1);
  out.parts = static_cast<uint64_t>(now.smsc_ids_size());
  // A record of an older node has no segments: each accepted part then bills one.
  auto whole = now.segments() > 0 ? static_cast<uint64_t>(now.segments()) : out.parts;
  out.segments = now.state() == wire::SendRecord::SUBMITTED ? whole : std::min(whole, out.parts);
  return out;
}

}  // namespace ivrcast::sms
