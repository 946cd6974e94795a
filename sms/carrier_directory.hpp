#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <caf/expected.hpp>

#include "sms/carrier.hpp"

namespace ivrcast::sms {

/// Which carrier serves a mobile number: a portability override list (exact numbers that moved
/// carrier) consulted first, then the number-range table (longest matching prefix). Both are
/// data files of `national number or prefix,carrier` lines; `#` starts a comment. Immutable
/// once loaded, so any thread may read it.
class carrier_directory {
 public:
  /// Parses both files' text; fails naming the source, line and what is wrong.
  [[nodiscard]] static caf::expected<carrier_directory> parse(
      std::string_view ranges, std::string_view ported, std::string_view ranges_name = "ranges",
      std::string_view ported_name = "ported");

  /// Loads the two files from disk.
  [[nodiscard]] static caf::expected<carrier_directory> load(const std::string& ranges_path,
                                                             const std::string& ported_path);

  /// The carrier of `national_number` (e.g. 09012345678), or nullopt if no range covers it.
  std::optional<carrier> resolve(std::string_view national_number) const;

  size_t range_count() const { return ranges_.size(); }
  size_t ported_count() const { return ported_.size(); }

 private:
  std::unordered_map<std::string, carrier> ported_;
  std::unordered_map<std::string, carrier> ranges_;
  size_t longest_prefix_ = 0;
};

}  // namespace ivrcast::sms
