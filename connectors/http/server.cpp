#include "connectors/http/server.hpp"

#include <httplib.h>

#include <algorithm>
#include <thread>

#include "connectors/log.hpp"
#include "messages/errc.hpp"
#include "metrics/registry.hpp"

namespace ivrcast::connectors::http {
namespace {

std::string json_escape(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += c;
        }
    }
  }
  return out;
}

/// Path segments after the leading '/', empty ones kept ("/a//b" → a, "", b).
std::vector<std::string_view> segments_of(std::string_view path) {
  std::vector<std::string_view> out;
  if (path.empty() || path.front() != '/')
    return out;
  path.remove_prefix(1);
  while (true) {
    auto slash = path.find('/');
    out.push_back(path.substr(0, slash));
    if (slash == std::string_view::npos)
      return out;
    path.remove_prefix(slash + 1);
  }
}

/// A route's pattern as segments: literal, or "{name}" for one non-empty segment.
struct compiled_route {
  std::string method;
  std::string pattern;
  std::vector<std::string> segments;
  handler fn;

  size_t params() const {
    return static_cast<size_t>(std::count_if(segments.begin(), segments.end(), is_param));
  }

  bool matches(const std::vector<std::string_view>& path) const {
    if (path.size() != segments.size())
      return false;
    for (size_t i = 0; i < path.size(); ++i)
      if (is_param(segments[i]) ? path[i].empty() : path[i] != segments[i])
        return false;
    return true;
  }
  static bool is_param(std::string_view seg) {
    return seg.size() > 2 && seg.front() == '{' && seg.back() == '}';
  }
};

compiled_route compile(route r) {
  auto segments = segments_of(r.pattern);
  std::vector<std::string> owned{segments.begin(), segments.end()};
  return {std::move(r.method), std::move(r.pattern), std::move(owned), std::move(r.fn)};
}

void write(const response& out, httplib::Response& res) {
  res.status = out.status;
  for (const auto& [k, v] : out.headers)
    res.set_header(k, v);
  if (out.stream) {
    auto fn = out.stream;
    res.set_chunked_content_provider(out.content_type, [fn](size_t, httplib::DataSink& sink) {
      fn([&](std::string_view piece) {
        return sink.is_writable() && sink.write(piece.data(), piece.size());
      });
      sink.done();
      return true;
    });
  } else if (!out.body.empty() || out.status != 204) {
    res.set_content(out.body, out.content_type);
  }
}

}  // namespace

std::string request::header(const std::string& lower_name) const {
  auto it = headers.find(lower_name);
  return it == headers.end() ? std::string{} : it->second;
}

std::string request::cookie(std::string_view name) const {
  std::string_view all = headers.contains("cookie") ? std::string_view{headers.at("cookie")} : "";
  while (!all.empty()) {
    auto semi = all.find(';');
    auto part = all.substr(0, semi);
    while (!part.empty() && part.front() == ' ')
      part.remove_prefix(1);
    if (part.size() > name.size() && part.starts_with(name) && part[name.size()] == '=')
      return std::string{part.substr(name.size() + 1)};
    if (semi == std::string_view::npos)
      break;
    all.remove_prefix(semi + 1);
  }
  return {};
}

std::string request::param(const std::string& name) const {
  auto it = params.find(name);
  return it == params.end() ? std::string{} : it->second;
}

std::string request::query_value(const std::string& name) const {
  auto it = query.find(name);
  return it == query.end() ? std::string{} : it->second;
}

response error(int status, std::string_view code, std::string_view message,
               std::string_view details_json) {
  response r;
  r.status = status;
  r.body = "{\"error\":{\"code\":\"" + json_escape(code) + "\",\"message\":\"" +
           json_escape(message) + "\"";
  if (!details_json.empty()) {
    r.body += ",\"details\":";
    r.body += details_json;
  }
  r.body += "}}";
  return r;
}

struct server::impl {
  httplib::Server srv;
  std::vector<compiled_route> routes;
  std::thread listener;
  bool stopped = false;
  metrics::registry* metrics = nullptr;

  void count(const std::string& route, const std::string& method, int status) const {
    if (metrics)
      metrics
          ->get_counter("ivrcast_http_requests_total", "HTTP requests by route, method and status",
                        {{"route", route}, {"method", method}, {"code", std::to_string(status)}})
          .inc();
  }

  void dispatch(const httplib::Request& req, httplib::Response& res) {
    bool path_known = false;
    auto path = segments_of(req.path);
    for (const auto& r : routes) {
      if (!r.matches(path))
        continue;
      path_known = true;
      if (r.method != req.method)
        continue;
      request in;
      in.method = req.method;
      in.path = req.path;
      in.body = req.body;
      in.remote_addr = req.remote_addr;
      for (size_t i = 0; i < path.size(); ++i)
        if (compiled_route::is_param(r.segments[i]))
          in.params.emplace(r.segments[i].substr(1, r.segments[i].size() - 2),
                            httplib::detail::decode_url(std::string{path[i]}, false));
      for (const auto& [k, v] : req.params)
        in.query.emplace(k, v);
      for (const auto& [k, v] : req.headers) {
        std::string lower = k;
        for (auto& c : lower)
          c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        in.headers.emplace(std::move(lower), v);
      }
      auto out = r.fn(in);
      count(r.pattern, req.method, out.status);
      write(out, res);
      return;
    }
    if (path_known) {
      count("other", req.method, 405);
      write(error(405, "method_not_allowed", req.method + " is not allowed on " + req.path), res);
    } else {
      count("other", req.method, 404);
      write(error(404, "not_found", "no such endpoint: " + req.path), res);
    }
  }
};

caf::expected<std::unique_ptr<server>> server::start(server_options opts,
                                                     std::vector<route> routes) {
  std::unique_ptr<server> out{new server};
  out->impl_ = std::make_unique<impl>();
  auto* d = out->impl_.get();
  for (auto& r : routes)
    d->routes.push_back(compile(std::move(r)));
  // Literal segments win over parameters: fewer parameters are tried first.
  std::stable_sort(
      d->routes.begin(), d->routes.end(),
      [](const compiled_route& a, const compiled_route& b) { return a.params() < b.params(); });
  d->metrics = opts.metrics;
  auto threads = static_cast<size_t>(opts.threads);
  d->srv.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  d->srv.set_payload_max_length(opts.max_body_bytes);
  // Headers and body go out in separate writes: with Nagle on, the body waits for the client's
  // delayed ACK (40 ms per keep-alive request, measured by bench/portal.sh).
  d->srv.set_tcp_nodelay(true);
  auto h = [d](const httplib::Request& req, httplib::Response& res) { d->dispatch(req, res); };
  // Every request goes through our own route table (JSON 404/405 included).
  d->srv.Get(".*", h);
  d->srv.Post(".*", h);
  d->srv.Put(".*", h);
  d->srv.Delete(".*", h);
  d->srv.Patch(".*", h);
  d->srv.set_error_handler([](const httplib::Request& req, httplib::Response& res) {
    if (!res.body.empty())
      return;  // a handler's own error body
    if (res.status == 413)
      write(error(413, "body_too_large", "the request body is too large"), res);
    else if (res.status >= 400)
      write(error(res.status, "bad_request", "the request was refused: " + req.path), res);
  });
  if (!opts.web_root.empty()) {
    // The portal's pages load only our own scripts and styles, and nobody may frame them.
    httplib::Headers headers{
        {"Cache-Control", "no-cache"},
        {"X-Content-Type-Options", "nosniff"},
        {"X-Frame-Options", "DENY"},
        {"Referrer-Policy", "no-referrer"},
        {"Content-Security-Policy",
         "default-src 'self'; img-src 'self' data:; media-src 'self' blob:; "
         "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"}};
    if (!d->srv.set_mount_point("/", opts.web_root, headers))
      return caf::make_error(errc::bad_config, "http.web_root",
                             "not a readable directory: " + opts.web_root);
  }
  auto colon = opts.listen.rfind(':');
  if (colon == std::string::npos)
    return caf::make_error(errc::bad_config, "http.listen", "must be host:port: " + opts.listen);
  auto host = opts.listen.substr(0, colon);
  int port = std::atoi(opts.listen.c_str() + colon + 1);
  out->port_ =
      port == 0 ? d->srv.bind_to_any_port(host) : (d->srv.bind_to_port(host, port) ? port : -1);
  if (out->port_ <= 0)
    return caf::make_error(errc::io_failure, "http.listen", "cannot listen on " + opts.listen);
  d->listener = std::thread{[d] { d->srv.listen_after_bind(); }};
  logger().info("event=http_listening address={}:{}", host, out->port_);
  return out;
}

server::~server() {
  stop();
}

void server::stop() {
  if (!impl_ || impl_->stopped)
    return;
  impl_->stopped = true;
  impl_->srv.stop();
  if (impl_->listener.joinable())
    impl_->listener.join();
}

}  // namespace ivrcast::connectors::http
