#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "sms/delivery_status.hpp"
#include "sms/log_row.hpp"

namespace ivrcast::sms {

/// The delivery log's filters beyond time range and destination (which choose the index).
/// Every set field must match; a default filter matches every row.
struct log_filter {
  uint32_t statuses = 0;        // bit 1 << status value per wanted status; 0: any
  std::string incoming_number;  // national form; empty: any
  std::string campaign_id;      // 案件ID (flow version id); empty: any
  std::optional<arrival> arrived;

  void want(delivery_status s) { statuses |= 1u << static_cast<unsigned>(s); }
  bool matches(const log_row& r) const;
};

/// A status from its API name (metric_name: "delivered", "partially_failed", ...).
std::optional<delivery_status> status_named(std::string_view name);
/// An arrival from its API name: "delivered", "undelivered", "pending".
std::optional<arrival> arrival_named(std::string_view name);

}  // namespace ivrcast::sms
