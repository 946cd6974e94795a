#include "control/cidr.hpp"

#include <arpa/inet.h>

#include <charconv>

namespace ivrcast::control {
namespace {

std::optional<cidr> parse_address(std::string text) {
  cidr out;
  if (text.starts_with("::ffff:") && text.find('.') != std::string::npos)
    text = text.substr(7);
  if (inet_pton(AF_INET, text.c_str(), out.addr) == 1) {
    out.prefix = 32;
    return out;
  }
  if (inet_pton(AF_INET6, text.c_str(), out.addr) == 1) {
    out.v6 = true;
    out.prefix = 128;
    return out;
  }
  return std::nullopt;
}

}  // namespace

std::optional<cidr> parse_cidr(std::string_view text) {
  auto slash = text.find('/');
  auto out = parse_address(std::string{text.substr(0, slash)});
  if (!out || slash == std::string_view::npos)
    return out;
  auto digits = text.substr(slash + 1);
  int prefix = -1;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), prefix);
  if (ec != std::errc{} || end != digits.data() + digits.size() || prefix < 0 ||
      prefix > (out->v6 ? 128 : 32))
    return std::nullopt;
  out->prefix = prefix;
  return out;
}

bool address_allowed(std::string_view address, const std::vector<std::string>& allowlist) {
  if (allowlist.empty())
    return true;
  auto a = parse_address(std::string{address});
  if (!a)
    return false;
  for (const auto& entry : allowlist) {
    auto net = parse_cidr(entry);
    if (!net || net->v6 != a->v6)
      continue;
    int full = net->prefix / 8, rest = net->prefix % 8;
    bool match = std::equal(net->addr, net->addr + full, a->addr);
    if (match && rest != 0) {
      auto mask = static_cast<unsigned char>(0xFF << (8 - rest));
      match = (net->addr[full] & mask) == (a->addr[full] & mask);
    }
    if (match)
      return true;
  }
  return false;
}

}  // namespace ivrcast::control
