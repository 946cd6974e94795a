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

/// GET of an absolute http:// or https:// URL; fails when no answer came, the status is not
/// 200 or the body exceeds `max_bytes` (the transfer is cut there). For gateways fetching
/// prompts; blocking, so call it from a worker thread.
[[nodiscard]] caf::expected<std::string> fetch(const std::string& url, size_t max_bytes,
                                               int timeout_s);

}  // namespace ivrcast::connectors::http
