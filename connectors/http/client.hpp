#pragma once

#include <string>

#include <caf/expected.hpp>

namespace ivrcast::connectors::http {

/// An answer of a remote API.
struct client_reply {
  int status = 0;
  std::string body;
};

/// One request to `base_url` (http:// or https://) + `path` with a bearer token and a JSON
/// body (empty: none); fails only if no answer came. For the operator's CLI.
[[nodiscard]] caf::expected<client_reply> call(const std::string& base_url,
                                               const std::string& method, const std::string& path,
                                               const std::string& token,
                                               const std::string& json_body);

}  // namespace ivrcast::connectors::http
