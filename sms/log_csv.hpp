#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <caf/expected.hpp>

#include "sms/log_row.hpp"

namespace ivrcast::sms {

/// Character set of a CSV download (product.md §4).
enum class csv_encoding : uint8_t { utf8_bom, shift_jis };

/// `+81` + the national number without its leading 0; empty stays empty.
std::string international(std::string_view national);
/// The same, appended to `out` without a string of its own.
void append_international(std::string& out, std::string_view national);

/// RFC 4180: a field with a comma, quote or line break is quoted, quotes doubled.
void append_csv_field(std::string& out, std::string_view v);

/// The same for text a user wrote (配信原稿, names): one starting with = + - @, a tab or CR is
/// prefixed with ' so that a spreadsheet shows it instead of running it as a formula.
void append_csv_text(std::string& out, std::string_view v);

/// Japan time `YYYY/MM/DD HH:MM:SS` of a Unix time in milliseconds; empty for 0.
void append_jst(std::string& out, int64_t unix_ms);

/// Parses Japan time `YYYY-MM-DD`, `YYYY-MM-DDTHH:MM` or `YYYY-MM-DDTHH:MM:SS` (also with `/`
/// and a space) into Unix milliseconds; nullopt if malformed or before 1970-01-01 09:00.
std::optional<int64_t> parse_jst(std::string_view text);

/// Whether this system's iconv converts UTF-8 to Shift_JIS (CP932).
bool shift_jis_available();

/// Streams the delivery-log CSV: the 30 columns of product.md §4 in order, Japanese header,
/// RFC 4180 quoting and CRLF line ends, UTF-8 with BOM or Shift_JIS (CP932). Holds one buffer
/// whatever the row count; `sink` receives encoded chunks and returns false to stop.
/// One thread at a time.
class log_csv_writer {
 public:
  using sink_fn = std::function<bool(std::string_view)>;

  /// `shift_jis_charset`: iconv's name for Shift_JIS. When iconv cannot convert to it, the
  /// writer refuses everything (header() is false) rather than send UTF-8 under that name.
  log_csv_writer(csv_encoding enc, sink_fn sink, const char* shift_jis_charset = "CP932");
  ~log_csv_writer();
  log_csv_writer(const log_csv_writer&) = delete;
  log_csv_writer& operator=(const log_csv_writer&) = delete;

  /// Writes the BOM (UTF-8) and the header line.
  bool header();
  /// Writes one row; false once the sink refused.
  bool row(const log_row& r);
  /// Hands over what is buffered.
  bool finish();

 private:
  bool flush();
  std::string buf_;
  std::string converted_;
  csv_encoding enc_;
  sink_fn sink_;
  void* iconv_ = nullptr;
  bool ok_ = true;
};

}  // namespace ivrcast::sms
