#pragma once

#include <cstdint>
#include <string_view>

#include <caf/expected.hpp>

#include "sms/log_csv.hpp"

namespace ivrcast::storage {

class delivery_log;

/// Streams the CSV of rows scheduled in [from_ms, to_ms) (optionally one destination) into
/// `sink`, in constant memory; `account` non-empty keeps that account's rows only. Returns the rows written; fails on a storage error or when the
/// sink refused. Shared by the CLI and the HTTP API.
[[nodiscard]] caf::expected<size_t> export_csv(const delivery_log& log, int64_t from_ms,
                                               int64_t to_ms, std::string_view destination,
                                               std::string_view account, sms::csv_encoding enc,
                                               const sms::log_csv_writer::sink_fn& sink);

}  // namespace ivrcast::storage
