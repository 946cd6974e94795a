#pragma once

#include <cstdint>
#include <string_view>

#include <caf/expected.hpp>

#include "sms/log_csv.hpp"
#include "sms/log_filter.hpp"
#include "storage/delivery_log.hpp"

namespace ivrcast::storage {

/// Streams the CSV of every account's rows scheduled in [from_ms, to_ms) (optionally one
/// destination) into `sink`, in constant memory (the operator's CLI). Returns the rows written;
/// fails on a storage error or when the sink refused.
[[nodiscard]] caf::expected<size_t> export_csv(const delivery_log& log, int64_t from_ms,
                                               int64_t to_ms, std::string_view destination,
                                               sms::csv_encoding enc,
                                               const sms::log_csv_writer::sink_fn& sink);

/// The same for one account's scan and the rows `filter` keeps (the portal's download).
[[nodiscard]] caf::expected<size_t> export_csv(const delivery_log& log,
                                               const delivery_log::account_scan& q,
                                               const sms::log_filter& filter, sms::csv_encoding enc,
                                               const sms::log_csv_writer::sink_fn& sink);

}  // namespace ivrcast::storage
