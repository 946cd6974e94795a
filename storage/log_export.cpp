#include "storage/log_export.hpp"

#include <limits>

#ifdef IVRCAST_FAULT_INJECTION
#include <charconv>
#include <cstdlib>
#include <string_view>

#include <spdlog/spdlog.h>
#endif

#include "messages/errc.hpp"

namespace ivrcast::storage {
namespace {

#ifdef IVRCAST_FAULT_INJECTION
/// Test builds: IVRCAST_FAULT_EXPORT_AFTER_ROWS=n fails every export once n rows are out, the
/// way a storage error part-way through would, so the browser test can watch a download fail.
size_t export_fault_after() {
  static const size_t n = [] {
    constexpr auto never = std::numeric_limits<size_t>::max();
    const char* v = std::getenv("IVRCAST_FAULT_EXPORT_AFTER_ROWS");
    if (v == nullptr || *v == '\0')
      return never;
    std::string_view text{v};
    size_t rows = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), rows);
    if (ec != std::errc{} || end != text.data() + text.size()) {
      spdlog::error(
          "event=fault_injection_refused key=IVRCAST_FAULT_EXPORT_AFTER_ROWS value=\"{}\" "
          "reason=\"not a row count\"",
          text);
      return never;
    }
    spdlog::warn("event=fault_injection fault=export_after_rows rows={}", rows);
    return rows;
  }();
  return n;
}
#else
constexpr size_t export_fault_after() {
  return std::numeric_limits<size_t>::max();
}
#endif

/// Header, the rows `scan` visits that `keep` accepts, then the end; stops when the sink refuses.
template <class Scan, class Keep>
caf::expected<size_t> write_csv(sms::csv_encoding enc, const sms::log_csv_writer::sink_fn& sink,
                                const Scan& scan, const Keep& keep) {
  sms::log_csv_writer w{enc, sink};
  bool ok = w.header();
  size_t rows = 0;
  const size_t fault_after = export_fault_after();
  auto n = scan([&](const sms::log_row& r) {
    if (!keep(r))
      return true;
    ok = w.row(r);
    rows += ok ? 1 : 0;
    return ok && rows < fault_after;
  });
  if (!n)
    return std::move(n.error());
  if (ok && rows >= fault_after) {
    w.finish();  // what was read goes out, then the end never does
    return caf::make_error(errc::io_failure, "export_csv", "injected fault after rows");
  }
  if (!ok || !w.finish())
    return caf::make_error(errc::io_failure, "export_csv", "the output refused the data");
  return rows;
}

}  // namespace

caf::expected<size_t> export_csv(const delivery_log& log, int64_t from_ms, int64_t to_ms,
                                 std::string_view destination, sms::csv_encoding enc,
                                 const sms::log_csv_writer::sink_fn& sink) {
  return write_csv(
      enc, sink, [&](const auto& fn) { return log.scan(from_ms, to_ms, destination, fn); },
      [](const sms::log_row&) { return true; });
}

caf::expected<size_t> export_csv(const delivery_log& log, const delivery_log::account_scan& q,
                                 const sms::log_filter& filter, sms::csv_encoding enc,
                                 const sms::log_csv_writer::sink_fn& sink) {
  auto bulk = q;
  bulk.bulk = true;
  return write_csv(
      enc, sink, [&](const auto& fn) { return log.scan_account(bulk, fn); },
      [&](const sms::log_row& r) { return filter.matches(r); });
}

}  // namespace ivrcast::storage
