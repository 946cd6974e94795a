#include "connectors/http/client.hpp"

#include <httplib.h>

#include "messages/errc.hpp"

namespace ivrcast::connectors::http {

caf::expected<client_reply> call(const std::string& base_url, const std::string& method,
                                 const std::string& path, const std::string& token,
                                 const std::string& json_body) {
  httplib::Client cli{base_url};
  cli.set_read_timeout(60, 0);
  httplib::Headers h{{"Authorization", "Bearer " + token}};
  httplib::Result res{nullptr, httplib::Error::Unknown};
  if (method == "GET")
    res = cli.Get(path, h);
  else if (method == "POST")
    res = cli.Post(path, h, json_body, "application/json");
  else if (method == "PUT")
    res = cli.Put(path, h, json_body, "application/json");
  else if (method == "DELETE")
    res = cli.Delete(path, h, json_body, "application/json");
  else
    return caf::make_error(errc::bad_input, "http.call", "method must be GET, POST, PUT or DELETE");
  if (!res)
    return caf::make_error(errc::io_failure, "http.call",
                           base_url + ": " + httplib::to_string(res.error()));
  return client_reply{res->status, res->body};
}

caf::expected<std::string> fetch(const std::string& url, size_t max_bytes, int timeout_s) {
  auto scheme = url.find("://");
  if (scheme == std::string::npos ||
      (url.compare(0, scheme, "http") != 0 && url.compare(0, scheme, "https") != 0))
    return caf::make_error(errc::bad_input, "http.fetch", "not an http(s) URL: " + url);
  auto slash = url.find('/', scheme + 3);
  auto base = url.substr(0, slash);
  auto path = slash == std::string::npos ? std::string{"/"} : url.substr(slash);
  httplib::Client cli{base};
  cli.set_connection_timeout(timeout_s, 0);
  cli.set_read_timeout(timeout_s, 0);
  std::string body;
  bool too_large = false;
  auto res = cli.Get(path, [&](const char* data, size_t n) {
    if (body.size() + n > max_bytes) {
      too_large = true;
      return false;
    }
    body.append(data, n);
    return true;
  });
  if (too_large)
    return caf::make_error(errc::bad_input, "http.fetch",
                           url + ": larger than " + std::to_string(max_bytes) + " bytes");
  if (!res)
    return caf::make_error(errc::io_failure, "http.fetch",
                           url + ": " + httplib::to_string(res.error()));
  if (res->status != 200)
    return caf::make_error(errc::io_failure, "http.fetch",
                           url + ": HTTP status " + std::to_string(res->status));
  return body;
}

}  // namespace ivrcast::connectors::http
