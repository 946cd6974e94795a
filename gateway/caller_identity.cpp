#include "gateway/caller_identity.hpp"

#include <cctype>

namespace ivrcast::gateway {
namespace {

std::string lower(std::string_view s) {
  std::string out{s};
  for (auto& c : out)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

/// The user part and host of a name-addr or addr-spec; empty user when there is no URI.
void user_and_host(std::string_view v, std::string_view& user, std::string_view& host) {
  auto lt = v.find('<');
  if (lt != std::string_view::npos) {
    auto gt = v.find('>', lt);
    v = v.substr(lt + 1, gt == std::string_view::npos ? std::string_view::npos : gt - lt - 1);
  } else {
    auto semi = v.find(';');  // header parameters of an addr-spec without <>
    auto colon = v.find(':');
    if (semi != std::string_view::npos && (colon == std::string_view::npos || semi > colon))
      v = v.substr(0, semi);
  }
  while (!v.empty() && v.front() == ' ')
    v.remove_prefix(1);
  auto scheme = v.find(':');
  if (scheme == std::string_view::npos)
    return;
  auto s = lower(v.substr(0, scheme));
  v.remove_prefix(scheme + 1);
  if (s == "tel") {
    user = v.substr(0, v.find(';'));
    return;
  }
  if (s != "sip" && s != "sips")
    return;
  auto at = v.find('@');
  if (at == std::string_view::npos) {
    host = v;
    return;
  }
  user = v.substr(0, at);
  user = user.substr(0, user.find(';'));  // user parameters
  user = user.substr(0, user.find(':'));  // a password
  host = v.substr(at + 1);
  host = host.substr(0, host.find_first_of(";>?"));
}

std::string phone_digits(std::string_view user) {
  std::string out;
  for (size_t i = 0; i < user.size(); ++i) {
    char c = user[i];
    if (c >= '0' && c <= '9')
      out += c;
    else if (c == '+' && out.empty())
      out += c;
    else if (c == '-' || c == '.' || c == '(' || c == ')' || c == ' ')
      continue;
    else if (c == '%' && i + 2 < user.size() && user.substr(i + 1, 2) == "20")
      i += 2;  // an escaped space
    else
      return {};
  }
  if (out.empty() || out == "+" || out.size() > 20)
    return {};
  return out;
}

bool withheld(std::string_view user, std::string_view host) {
  auto u = lower(user);
  return u == "anonymous" || u == "unavailable" || u == "restricted" || u == "unknown" ||
         u == "private" || lower(host) == "anonymous.invalid";
}

std::string number_of(std::string_view header) {
  std::string_view user;
  std::string_view host;
  user_and_host(header, user, host);
  if (withheld(user, host))
    return {};
  return phone_digits(user);
}

}  // namespace

std::string dialled_number(std::string_view request_user) {
  return phone_digits(request_user.substr(0, request_user.find(';')));
}

std::string calling_number(std::string_view asserted_identity, std::string_view from,
                           std::string_view privacy) {
  auto p = lower(privacy);
  if (p.find("id") != std::string::npos || p.find("user") != std::string::npos)
    return {};
  if (!asserted_identity.empty()) {
    // P-Asserted-Identity may list a sip: and a tel: URI; take the first phone number.
    while (!asserted_identity.empty()) {
      auto comma = asserted_identity.find(',');
      auto one = asserted_identity.substr(0, comma);
      std::string_view user;
      std::string_view host;
      user_and_host(one, user, host);
      if (withheld(user, host))
        return {};
      if (auto n = phone_digits(user); !n.empty())
        return n;
      asserted_identity = comma == std::string_view::npos ? std::string_view{}
                                                          : asserted_identity.substr(comma + 1);
    }
  }
  return number_of(from);
}

}  // namespace ivrcast::gateway
