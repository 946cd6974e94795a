#include "storage/log_export.hpp"

#include "messages/errc.hpp"
#include "storage/delivery_log.hpp"

namespace ivrcast::storage {

caf::expected<size_t> export_csv(const delivery_log& log, int64_t from_ms, int64_t to_ms,
                                 std::string_view destination, std::string_view account,
                                 sms::csv_encoding enc, const sms::log_csv_writer::sink_fn& sink) {
  sms::log_csv_writer w{enc, sink};
  bool ok = w.header();
  size_t rows = 0;
  auto write = [&](const sms::log_row& r) {
    if (!account.empty() && r.account_id != account)
      return true;  // the account's index names its rows only; checked all the same
    ok = w.row(r);
    rows += ok ? 1 : 0;
    return ok;
  };
  auto n = account.empty() ? log.scan(from_ms, to_ms, destination, write)
                           : log.scan_account(account, from_ms, to_ms, destination, write);
  if (!n)
    return std::move(n.error());
  if (!ok || !w.finish())
    return caf::make_error(errc::io_failure, "export_csv", "the output refused the data");
  return rows;
}

}  // namespace ivrcast::storage
