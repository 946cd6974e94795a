#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <caf/expected.hpp>

namespace ivrcast::metrics {
class registry;
}

namespace ivrcast::connectors::http {

/// What a handler sees of a request.
struct request {
  std::string method;
  std::string path;
  std::string body;
  std::string remote_addr;
  std::map<std::string, std::string> params;   // path parameters by name ({number} → "number")
  std::map<std::string, std::string> query;    // first value of each query parameter
  std::map<std::string, std::string> headers;  // names in lower case

  std::string header(const std::string& lower_name) const;
  std::string cookie(std::string_view name) const;
  std::string param(const std::string& name) const;
  std::string query_value(const std::string& name) const;
};

/// A handler's answer: a body, or a `stream` that writes the body in pieces (sent chunked).
struct response {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  /// Writes the body through `sink` (false from the sink: the client went away; stop). Returns
  /// whether the body is complete: false ends the response without its last chunk, so the
  /// client sees a failed download rather than a short file.
  std::function<bool(const std::function<bool(std::string_view)>& sink)> stream;
};

/// A JSON error body `{"error": {"code", "message"}}` (plus `details`, a JSON array text).
response error(int status, std::string_view code, std::string_view message,
               std::string_view details_json = {});

using handler = std::function<response(const request&)>;

/// One route: method, OpenAPI-style path ("/v1/flows/{number}/draft") and its handler.
struct route {
  std::string method;
  std::string pattern;
  handler fn;
  /// The largest body it takes (0: server_options::max_body_bytes); a larger one is refused
  /// with 413 before more than this is read, chunked or not.
  size_t max_body_bytes = 0;
};

/// Server settings.
struct server_options {
  std::string listen;  // host:port; port 0 picks a free one
  int threads = 8;     // handlers run on these; connections wait on one I/O thread, not on them
  size_t max_body_bytes = 64u * 1024;
  size_t max_header_bytes = 16u * 1024;  // request line and headers together; more: 431
  int header_timeout_ms = 10000;         // to read a request's headers once its first byte came
  int idle_timeout_ms = 30000;           // a keep-alive connection with no request is closed
  int body_timeout_ms = 60000;           // to read a request's body
  size_t max_connections = 10000;        // more are closed at once
  /// Static files served for GET/HEAD paths naming a file in it ("/" → index.html); empty: none.
  std::string web_root;
  /// Counts requests by route, method and status (ivrcast_http_requests_total); null: none.
  metrics::registry* metrics = nullptr;
};

/// An HTTP/1.1 server (Boost.Beast) dispatching to routes on its worker threads; unknown
/// paths, wrong methods and oversized bodies get JSON errors. A path both a literal route and
/// a route with parameters match goes to the literal one ("/metrics" before "/{code}").
/// Handlers run concurrently. Every request's memory is bounded before a handler runs: headers
/// by max_header_bytes (431), bodies by their route's limit whether sent with a length or
/// chunked (413), compressed bodies are refused (415: nothing is ever inflated). Idle and slow
/// connections cost a socket each, never a worker, and are closed at their timeouts.
class server {
 public:
  [[nodiscard]] static caf::expected<std::unique_ptr<server>> start(server_options opts,
                                                                    std::vector<route> routes);
  ~server();
  server(const server&) = delete;
  server& operator=(const server&) = delete;

  /// The port listened on.
  int port() const { return port_; }
  /// Stops accepting, finishes running requests, joins the listener. Idempotent.
  void stop();

  struct impl;

 private:
  server() = default;
  std::unique_ptr<impl> impl_;
  int port_ = 0;
};

}  // namespace ivrcast::connectors::http
