#include "connectors/http/server.hpp"

#include <sys/socket.h>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <limits>
#include <optional>
#include <sstream>
#include <thread>
#include <unordered_set>

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
  size_t max_body_bytes = 0;

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
  return {std::move(r.method), std::move(r.pattern), std::move(owned), std::move(r.fn),
          r.max_body_bytes};
}

/// %XX decoded; with `plus_is_space`, '+' too (query strings). Bad escapes stay as they are.
std::string decode_url(std::string_view in, bool plus_is_space) {
  std::string out;
  out.reserve(in.size());
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9')
      return c - '0';
    if (c >= 'a' && c <= 'f')
      return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
      return c - 'A' + 10;
    return -1;
  };
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] == '%' && i + 2 < in.size() && hex(in[i + 1]) >= 0 && hex(in[i + 2]) >= 0) {
      out += static_cast<char>(hex(in[i + 1]) * 16 + hex(in[i + 2]));
      i += 2;
    } else if (plus_is_space && in[i] == '+') {
      out += ' ';
    } else {
      out += in[i];
    }
  }
  return out;
}

/// The first value of each parameter of a query string.
void parse_query(std::string_view q, std::map<std::string, std::string>& out) {
  while (!q.empty()) {
    auto amp = q.find('&');
    auto part = q.substr(0, amp);
    if (!part.empty()) {
      auto eq = part.find('=');
      auto key = decode_url(part.substr(0, eq), true);
      auto value =
          eq == std::string_view::npos ? std::string{} : decode_url(part.substr(eq + 1), true);
      out.emplace(std::move(key), std::move(value));
    }
    if (amp == std::string_view::npos)
      break;
    q.remove_prefix(amp + 1);
  }
}

const char* mime_type(const std::filesystem::path& p) {
  auto ext = p.extension().string();
  if (ext == ".html")
    return "text/html; charset=utf-8";
  if (ext == ".js" || ext == ".mjs")
    return "text/javascript; charset=utf-8";
  if (ext == ".css")
    return "text/css; charset=utf-8";
  if (ext == ".json" || ext == ".map")
    return "application/json";
  if (ext == ".svg")
    return "image/svg+xml";
  if (ext == ".png")
    return "image/png";
  if (ext == ".ico")
    return "image/x-icon";
  if (ext == ".wav")
    return "audio/wav";
  if (ext == ".txt")
    return "text/plain; charset=utf-8";
  return "application/octet-stream";
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

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace asio = boost::asio;
using tcp = asio::ip::tcp;

class connection;

/// Where a request goes, decided once from its header.
struct routing {
  const compiled_route* route = nullptr;  // null: none takes it
  bool path_known = false;                // a route takes the path with another method
  size_t body_limit = 0;                  // the route's, else the server's
};

struct server::impl {
  // Declared before the I/O context: connections still waiting when it is destroyed use them.
  server_options opts;
  std::vector<compiled_route> routes;
  std::filesystem::path web_root;
  std::unordered_set<std::string> web_files;  // relative paths, listed once at start
  std::atomic<size_t> connections{0};
  bool stopped = false;
  metrics::registry* metrics = nullptr;
  asio::io_context io{1};
  tcp::acceptor acceptor{io};
  std::unique_ptr<asio::thread_pool> workers;
  std::thread io_thread;

  void count(const std::string& route, const std::string& method, int status) const {
    if (metrics)
      metrics
          ->get_counter("ivrcast_http_requests_total", "HTTP requests by route, method and status",
                        {{"route", route}, {"method", method}, {"code", std::to_string(status)}})
          .inc();
  }

  /// The route a request goes to, found once when its header is read (HEAD is GET's).
  routing route_of(std::string_view target, std::string_view method) const {
    routing out;
    auto segments = segments_of(target.substr(0, target.find('?')));
    auto wanted = method == "HEAD" ? std::string_view{"GET"} : method;
    for (const auto& r : routes) {
      if (!r.matches(segments))
        continue;
      out.path_known = true;
      if (r.method == wanted) {
        out.route = &r;
        break;
      }
    }
    out.body_limit = out.route && out.route->max_body_bytes > 0 ? out.route->max_body_bytes
                                                                : opts.max_body_bytes;
    return out;
  }

  /// A static file of the portal for GET/HEAD, if `path` names one ("/" → index.html).
  std::optional<response> static_file(std::string_view path) const {
    if (web_files.empty() || path.empty())
      return std::nullopt;
    // Only a name listed at start is opened: no file system call for anything else, and no
    // path ("..", "%2e%2e") reaches outside the portal's directory.
    auto rel = decode_url(path.substr(1), false);
    auto name = rel.empty() ? std::string{"index.html"} : rel;
    if (!web_files.contains(name))
      return std::nullopt;
    auto file = web_root / name;
    std::ifstream in{file, std::ios::binary};
    if (!in)
      return std::nullopt;
    response r;
    r.content_type = mime_type(file);
    r.body.assign(std::istreambuf_iterator<char>{in}, std::istreambuf_iterator<char>{});
    // The portal's pages load only our own scripts and styles, and nobody may frame them.
    r.headers = {{"Cache-Control", "no-cache"},
                 {"X-Content-Type-Options", "nosniff"},
                 {"X-Frame-Options", "DENY"},
                 {"Referrer-Policy", "no-referrer"},
                 {"Content-Security-Policy",
                  "default-src 'self'; img-src 'self' data:; media-src 'self' blob:; "
                  "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; "
                  "form-action 'self'"}};
    return r;
  }

  /// `how` was found for `req` when its header came; the body moves to the handler.
  response dispatch(bhttp::request<bhttp::string_body>& req, const routing& how,
                    const std::string& remote) {
    std::string method{req.method_string().data(), req.method_string().size()};
    std::string_view target{req.target().data(), req.target().size()};
    auto qmark = target.find('?');
    auto raw_path = target.substr(0, qmark);
    if (method == "GET" || method == "HEAD")
      if (auto f = static_file(raw_path)) {
        count("static", method, 200);
        return std::move(*f);
      }
    const auto* r = how.route;
    if (!r) {
      auto status = how.path_known ? 405 : 404;
      count("other", method, status);
      return how.path_known ? error(405, "method_not_allowed",
                                    method + " is not allowed on " + std::string{raw_path})
                            : error(404, "not_found", "no such endpoint: " + std::string{raw_path});
    }
    request in;
    in.method = r->method;
    in.path = std::string{raw_path};
    in.body = std::move(req.body());
    in.remote_addr = remote;
    auto path = segments_of(raw_path);
    for (size_t i = 0; i < path.size(); ++i)
      if (compiled_route::is_param(r->segments[i]))
        in.params.emplace(r->segments[i].substr(1, r->segments[i].size() - 2),
                          decode_url(path[i], false));
    if (qmark != std::string_view::npos)
      parse_query(target.substr(qmark + 1), in.query);
    for (const auto& f : req) {
      std::string lower{f.name_string().data(), f.name_string().size()};
      for (auto& c : lower)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      in.headers.emplace(std::move(lower), std::string{f.value().data(), f.value().size()});
    }
    auto out = r->fn(in);
    count(r->pattern, method, out.status);
    return out;
  }

  void accept();
};

/// One client connection: reads requests on the I/O thread (bounded and timed), runs each on a
/// worker and writes the answer from there, then waits for the next.
class connection : public std::enable_shared_from_this<connection> {
 public:
  connection(server::impl* srv, tcp::socket socket) : srv_(srv), stream_(std::move(socket)) {
    ++srv_->connections;
    beast::error_code ec;
    auto ep = stream_.socket().remote_endpoint(ec);
    if (!ec)
      remote_ = ep.address().to_string();
    stream_.socket().set_option(tcp::no_delay{true}, ec);  // headers and body: no delayed ACK
  }
  ~connection() { --srv_->connections; }

  void read_next() {
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(srv_->opts.max_header_bytes));
    // The route's limit is set once the header names it. Not boost::none: Boost 1.74 compares a
    // Content-Length with an empty limit as greater.
    parser_->body_limit(std::numeric_limits<std::uint64_t>::max());
    // Until the first byte of a request: the idle timeout; then the header timeout.
    stream_.expires_after(std::chrono::milliseconds{srv_->opts.idle_timeout_ms});
    bhttp::async_read_header(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, size_t) { self->on_header(ec); });
  }

 private:
  void on_header(beast::error_code ec) {
    if (ec == bhttp::error::header_limit)
      return refuse(error(431, "headers_too_large",
                          "request line and headers are limited to " +
                              std::to_string(srv_->opts.max_header_bytes) + " bytes"));
    if (ec == beast::error::timeout || ec == bhttp::error::end_of_stream ||
        ec == asio::error::eof || ec == asio::error::operation_aborted ||
        ec == asio::error::connection_reset)
      return close();
    if (ec)
      return refuse(error(400, "bad_request", std::string{"malformed request: "} + ec.message()));
    const auto& h = parser_->get();
    if (auto enc = h[bhttp::field::content_encoding];
        !enc.empty() && !beast::iequals(enc, "identity"))
      return refuse(error(415, "unsupported_encoding",
                          "compressed request bodies are not accepted (Content-Encoding: " +
                              std::string{enc.data(), enc.size()} + ")"));
    routing_ = srv_->route_of({h.target().data(), h.target().size()},
                              {h.method_string().data(), h.method_string().size()});
    auto limit = routing_.body_limit;
    parser_->body_limit(limit);
    if (auto len = parser_->content_length(); len && *len > limit)
      return refuse(too_large(limit));
    stream_.expires_after(std::chrono::milliseconds{srv_->opts.body_timeout_ms});
    bhttp::async_read(stream_, buffer_, *parser_,
                      [self = shared_from_this(), limit](beast::error_code e, size_t) {
                        self->on_body(e, limit);
                      });
  }

  void on_body(beast::error_code ec, size_t limit) {
    if (ec == bhttp::error::body_limit)
      return refuse(too_large(limit));
    if (ec == beast::error::timeout || ec == asio::error::eof ||
        ec == asio::error::operation_aborted || ec == asio::error::connection_reset)
      return close();
    if (ec)
      return refuse(error(400, "bad_request", std::string{"malformed body: "} + ec.message()));
    stream_.expires_never();
    asio::post(*srv_->workers, [self = shared_from_this()] { self->handle(); });
  }

  static response too_large(size_t limit) {
    return error(413, "body_too_large",
                 "the request body is limited to " + std::to_string(limit) + " bytes here");
  }

  /// On a worker: the handler, then the answer written from here (the I/O thread has nothing
  /// pending on this socket meanwhile).
  void handle() {
    auto req = parser_->release();
    parser_.reset();
    auto res = srv_->dispatch(req, routing_, remote_);
    bool written = write(res, req.method() == bhttp::verb::head, req.keep_alive());
    if (!written || !req.keep_alive())
      return close();
    asio::post(stream_.get_executor(), [self = shared_from_this()] { self->read_next(); });
  }

  /// A request refused before a handler: answered, and the connection closed (what is left of
  /// the request is never read).
  void refuse(const response& res) {
    srv_->count("other", "any", res.status);
    asio::post(*srv_->workers, [self = shared_from_this(), res] {
      self->write(res, false, false);
      self->linger();
    });
  }

  /// Closing with the rest of a refused request unread would reset the connection, and the
  /// client could lose the answer: half-close, then read and drop what follows, at most 4 MiB
  /// or 500 ms, on the I/O thread (a worker is not held), before closing.
  void linger() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    asio::post(stream_.get_executor(), [self = shared_from_this()] {
      self->stream_.expires_after(std::chrono::milliseconds{500});
      self->drop(0);
    });
  }

  void drop(size_t dropped) {
    static char discarded[16384];  // the one I/O thread's: what lands here is never read
    stream_.async_read_some(asio::buffer(discarded),
                            [self = shared_from_this(), dropped](beast::error_code ec, size_t n) {
                              if (ec || dropped + n >= 4u * 1024 * 1024)
                                return self->close();
                              self->drop(dropped + n);
                            });
  }

  /// Writes a response (chunked when streamed); false if the client went away or stopped
  /// reading for 30 s. Plain blocking sends on this worker: the I/O thread has nothing pending
  /// on the socket meanwhile, and the send timeout bounds what a slow reader can hold.
  bool write(const response& out, bool head_only, bool keep_alive) {
    auto& sock = stream_.socket();
    beast::error_code ec;
    sock.native_non_blocking(false, ec);
    timeval tv{30, 0};
    ::setsockopt(sock.native_handle(), SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    bhttp::response<bhttp::empty_body> res{static_cast<bhttp::status>(out.status), 11};
    res.set(bhttp::field::content_type, out.content_type);
    for (const auto& [k, v] : out.headers)
      res.insert(k, v);  // several Set-Cookie headers stay several
    res.keep_alive(keep_alive);
    std::ostringstream head;
    if (!out.stream) {
      if (out.status == 204 || out.status == 304)
        res.erase(bhttp::field::content_type);
      else
        res.content_length(out.body.size());  // the body goes out as it is, not copied
      head << res.base();
      if (!send_all(head.str()))
        return false;
      return head_only || out.body.empty() || send_all(out.body);
    }
    res.chunked(true);
    head << res.base();
    if (!send_all(head.str()))
      return false;
    bool ok = true;
    std::string frame;
    bool complete = out.stream([&](std::string_view piece) {
      if (!ok || piece.empty())
        return ok;
      char size[20];
      auto n = std::snprintf(size, sizeof size, "%zx\r\n", piece.size());
      frame.assign(size, static_cast<size_t>(n));
      frame.append(piece);
      frame.append("\r\n");
      ok = send_all(frame);
      return ok;
    });
    // Without its last chunk the body is cut short: the client sees a failed download.
    return ok && complete && send_all("0\r\n\r\n");
  }

  bool send_all(std::string_view data) {
    auto fd = stream_.socket().native_handle();
    while (!data.empty()) {
      auto n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return false;
      data.remove_prefix(static_cast<size_t>(n));
    }
    return true;
  }

  void close() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
    stream_.socket().close(ec);
  }

  server::impl* srv_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  std::string remote_;
  routing routing_;  // of the request being read or handled
};

void server::impl::accept() {
  acceptor.async_accept(asio::make_strand(io), [this](beast::error_code ec, tcp::socket socket) {
    if (ec == asio::error::operation_aborted)
      return;
    if (!ec) {
      if (connections.load() >= opts.max_connections) {
        beast::error_code ignored;
        socket.close(ignored);  // over the cap: the client retries later
      } else {
        std::make_shared<connection>(this, std::move(socket))->read_next();
      }
    }
    accept();
  });
}

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
  if (!opts.web_root.empty()) {
    std::error_code ec;
    if (!std::filesystem::is_directory(opts.web_root, ec))
      return caf::make_error(errc::bad_config, "http.web_root",
                             "not a readable directory: " + opts.web_root);
    d->web_root = opts.web_root;
    // The portal's files are listed once: a file added later is served after a restart.
    for (auto it = std::filesystem::recursive_directory_iterator{d->web_root, ec};
         !ec && it != std::filesystem::recursive_directory_iterator{}; it.increment(ec))
      if (it->is_regular_file(ec))
        d->web_files.insert(std::filesystem::relative(it->path(), d->web_root, ec).string());
  }
  auto colon = opts.listen.rfind(':');
  if (colon == std::string::npos)
    return caf::make_error(errc::bad_config, "http.listen", "must be host:port: " + opts.listen);
  auto host = opts.listen.substr(0, colon);
  int port = std::atoi(opts.listen.c_str() + colon + 1);
  beast::error_code ec;
  auto address = asio::ip::make_address(host == "localhost" ? "127.0.0.1" : host, ec);
  if (ec)
    return caf::make_error(errc::bad_config, "http.listen", "not an IP address: " + host);
  tcp::endpoint ep{address, static_cast<unsigned short>(port)};
  d->acceptor.open(ep.protocol(), ec);
  if (!ec)
    d->acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec)
    d->acceptor.bind(ep, ec);
  if (!ec)
    d->acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec)
    return caf::make_error(errc::io_failure, "http.listen",
                           "cannot listen on " + opts.listen + ": " + ec.message());
  out->port_ = d->acceptor.local_endpoint().port();
  d->workers = std::make_unique<asio::thread_pool>(static_cast<size_t>(std::max(1, opts.threads)));
  d->opts = std::move(opts);
  d->accept();
  d->io_thread = std::thread{[d] { d->io.run(); }};
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
  // Reading stops first, so no new request reaches the workers however busy its clients are;
  // the running requests then finish.
  impl_->io.stop();
  if (impl_->io_thread.joinable())
    impl_->io_thread.join();
  if (impl_->workers)  // none if start gave up before listening: its error is what counts
    impl_->workers->join();
  beast::error_code ec;
  impl_->acceptor.close(ec);
}

}  // namespace ivrcast::connectors::http
