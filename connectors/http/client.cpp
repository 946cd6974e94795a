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

}  // namespace ivrcast::connectors::http
