#include "storage/log_export.hpp"

#include "messages/errc.hpp"

namespace ivrcast::storage {
namespace {

/// Header, the rows `scan` visits that `keep` accepts, then the end; stops when the sink refuses.
template <class Scan, class Keep>
caf::expected<size_t> write_csv(sms::csv_encoding enc, const sms::log_csv_writer::sink_fn& sink,
                                const Scan& scan, const Keep& keep) {
  sms::log_csv_writer w{enc, sink};
  bool ok = w.header();
  size_t rows = 0;
  auto n = scan([&](const sms::log_row& r) {
    if (!keep(r))
      return true;
    ok = w.row(r);
    rows += ok ? 1 : 0;
    return ok;
  });
  if (!n)
    return std::move(n.error());
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
  return write_csv(
      enc, sink, [&](const auto& fn) { return log.scan_account(q, fn); },
      [&](const sms::log_row& r) { return filter.matches(r); });
}

}  // namespace ivrcast::storage
