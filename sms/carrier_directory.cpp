#include "sms/carrier_directory.hpp"

#include <fstream>
#include <sstream>

#include "messages/errc.hpp"
#include "messages/text.hpp"

namespace ivrcast::sms {
namespace {

/// Reads `number,carrier` lines into `out`; `exact` requires whole 11-digit numbers.
caf::expected<void> read_table(std::string_view text, std::string_view source, bool exact,
                               std::unordered_map<std::string, carrier>& out) {
  int line_no = 0;
  while (!text.empty()) {
    auto nl = text.find('\n');
    auto line = trim(text.substr(0, nl));
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    ++line_no;
    if (auto hash = line.find('#'); hash != std::string_view::npos)
      line = trim(line.substr(0, hash));
    if (line.empty())
      continue;
    auto where = std::string{source} + " line " + std::to_string(line_no) + ": ";
    auto comma = line.find(',');
    if (comma == std::string_view::npos)
      return caf::make_error(errc::bad_config, "carrier_directory",
                             where + "expected `number,carrier`");
    auto number = trim(line.substr(0, comma));
    auto name = trim(line.substr(comma + 1));
    if (!all_digits(number) || number[0] != '0' || (exact && number.size() != 11) ||
        number.size() > 11)
      return caf::make_error(errc::bad_config, "carrier_directory",
                             where + "`" + std::string{number} + "` is not a national " +
                                 (exact ? "11-digit number" : "number prefix (0 + digits)"));
    auto c = parse_carrier(name);
    if (!c)
      return caf::make_error(
          errc::bad_config, "carrier_directory",
          where + "unknown carrier `" + std::string{name} + "` (au, docomo, softbank, rakuten)");
    if (!out.emplace(std::string{number}, *c).second)
      return caf::make_error(errc::bad_config, "carrier_directory",
                             where + "`" + std::string{number} + "` listed twice");
  }
  return {};
}

caf::expected<std::string> slurp(const std::string& path) {
  std::ifstream in{path, std::ios::binary};
  if (!in)
    return caf::make_error(errc::bad_config, "carrier_directory", "cannot read " + path);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

caf::expected<carrier_directory> carrier_directory::parse(std::string_view ranges,
                                                          std::string_view ported,
                                                          std::string_view ranges_name,
                                                          std::string_view ported_name) {
  carrier_directory d;
  if (auto ok = read_table(ranges, ranges_name, false, d.ranges_); !ok)
    return std::move(ok.error());
  if (auto ok = read_table(ported, ported_name, true, d.ported_); !ok)
    return std::move(ok.error());
  if (d.ranges_.empty())
    return caf::make_error(errc::bad_config, "carrier_directory",
                           std::string{ranges_name} + ": no number ranges");
  for (const auto& [prefix, c] : d.ranges_)
    d.longest_prefix_ = std::max(d.longest_prefix_, prefix.size());
  return d;
}

caf::expected<carrier_directory> carrier_directory::load(const std::string& ranges_path,
                                                         const std::string& ported_path) {
  auto r = slurp(ranges_path);
  if (!r)
    return std::move(r.error());
  std::string p;
  if (!ported_path.empty()) {
    auto text = slurp(ported_path);
    if (!text)
      return std::move(text.error());
    p = std::move(*text);
  }
  return parse(*r, p, ranges_path, ported_path);
}

std::optional<carrier> carrier_directory::resolve(std::string_view number) const {
  if (auto it = ported_.find(std::string{number}); it != ported_.end())
    return it->second;
  for (size_t n = std::min(longest_prefix_, number.size()); n > 0; --n)
    if (auto it = ranges_.find(std::string{number.substr(0, n)}); it != ranges_.end())
      return it->second;
  return std::nullopt;
}

}  // namespace ivrcast::sms
