#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ivrcast::control {

/// An IPv4 or IPv6 network (address/prefix).
struct cidr {
  bool v6 = false;
  unsigned char addr[16] = {};
  int prefix = 0;
};

/// Parses "192.0.2.0/24", "2001:db8::/32" or a bare address (a /32 or /128); nullopt if bad.
std::optional<cidr> parse_cidr(std::string_view text);

/// True if `address` (as the socket reports it; IPv4-mapped IPv6 is treated as IPv4) lies in
/// one of `allowlist`; an empty list allows every address.
bool address_allowed(std::string_view address, const std::vector<std::string>& allowlist);

}  // namespace ivrcast::control
