#include "tests/support/portal_support.hpp"

#include <fcntl.h>
#include <httplib.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "tests/support/test_support.hpp"

namespace ivrcast::test {

std::string base64_decode(std::string_view in) {
  std::string out;
  uint32_t buf = 0;
  int bits = 0;
  for (char c : in) {
    int v = c >= 'A' && c <= 'Z'   ? c - 'A'
            : c >= 'a' && c <= 'z' ? c - 'a' + 26
            : c >= '0' && c <= '9' ? c - '0' + 52
            : c == '+'             ? 62
            : c == '/'             ? 63
                                   : -1;
    if (v < 0)
      continue;
    buf = (buf << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((buf >> bits) & 0xFF);
    }
  }
  return out;
}

namespace {

/// Status 0 when the request never got an answer.
reply to_reply(const httplib::Result& res) {
  reply out;
  if (!res)
    return out;
  out.status = res->status;
  out.raw = res->body;
  out.content_type = res->get_header_value("Content-Type");
  out.location = res->get_header_value("Location");
  if (out.content_type.starts_with("application/json"))
    out.body = nlohmann::json::parse(res->body, nullptr, false);
  return out;
}

}  // namespace

std::string reply::code() const {
  if (body.is_object() && body.contains("error"))
    return body["error"].value("code", "");
  return {};
}

portal_client::portal_client(int port) : port_(port) {}
portal_client::~portal_client() = default;

reply portal_client::send(const std::string& method, const std::string& path,
                          const std::string& body, const std::string& type) {
  httplib::Client cli{"127.0.0.1", port_};
  cli.set_read_timeout(120, 0);
  httplib::Headers h;
  if (!session_cookie.empty())
    h.emplace("Cookie", "ivrcast_session=" + session_cookie);
  if (send_csrf && !csrf.empty())
    h.emplace("X-CSRF-Token", csrf);
  if (!bearer.empty())
    h.emplace("Authorization", "Bearer " + bearer);
  httplib::Result res{nullptr, httplib::Error::Unknown};
  if (method == "GET")
    res = cli.Get(path, h);
  else if (method == "POST")
    res = cli.Post(path, h, body, type);
  else if (method == "PUT")
    res = cli.Put(path, h, body, type);
  else if (method == "DELETE")
    res = cli.Delete(path, h, body, type);
  return to_reply(res);
}

reply portal_client::get(const std::string& path) {
  return send("GET", path, "");
}
reply portal_client::post(const std::string& path, const nlohmann::json& body) {
  return send("POST", path, body.dump());
}
reply portal_client::put(const std::string& path, const nlohmann::json& body) {
  return send("PUT", path, body.dump());
}
reply portal_client::put_bytes(const std::string& path, const std::string& bytes,
                               const std::string& type) {
  return send("PUT", path, bytes, type);
}
reply portal_client::del(const std::string& path) {
  return send("DELETE", path, "");
}

reply portal_client::login(const std::string& email, const std::string& password) {
  httplib::Client cli{"127.0.0.1", port_};
  auto res =
      cli.Post("/v1/session", nlohmann::json{{"email", email}, {"password", password}}.dump(),
               "application/json");
  auto out = to_reply(res);
  if (res && res->status == 200) {
    auto n = res->get_header_value_count("Set-Cookie");
    for (size_t i = 0; i < n; ++i) {
      auto c = res->get_header_value("Set-Cookie", i);
      if (c.starts_with("ivrcast_session="))
        session_cookie = c.substr(16, c.find(';') - 16);
    }
    csrf = out.body.value("csrf_token", "");
  }
  return out;
}

smtp_sink::smtp_sink(int data_delay_s) {
  dir_ = (std::filesystem::temp_directory_path() /
          ("ivrcast-mail-" + std::to_string(getpid()) + "-" + std::to_string(free_port())))
             .string();
  std::filesystem::create_directories(dir_);
  std::filesystem::permissions(dir_, std::filesystem::perms::all);
  port_ = free_port();
  auto tmpl = dir_ + "/%M.";
  auto addr = "127.0.0.1:" + std::to_string(port_);
  std::vector<std::string> args{"smtp-sink", "-d", tmpl, addr, "32"};
  if (data_delay_s > 0)
    args.insert(args.begin() + 1, {"-w", std::to_string(data_delay_s)});
  if (geteuid() == 0)
    args.insert(args.begin() + 1, {"-u", "nobody"});  // smtp-sink refuses to run as root
  std::vector<char*> argv;
  for (auto& a : args)
    argv.push_back(a.data());
  argv.push_back(nullptr);
  // Not on the test's own output: a sink left behind by a crashed test must not hold ctest's
  // pipe open.
  posix_spawn_file_actions_t files;
  posix_spawn_file_actions_init(&files);
  posix_spawn_file_actions_addopen(&files, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&files, 2, "/dev/null", O_WRONLY, 0);
  pid_t pid = 0;
  if (posix_spawnp(&pid, "smtp-sink", &files, nullptr, argv.data(), environ) == 0)
    pid_ = pid;
  posix_spawn_file_actions_destroy(&files);
  // Ready once it accepts connections.
  eventually(
      [&] {
        int s = socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_port = htons(static_cast<uint16_t>(port_));
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        bool ok = connect(s, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
        close(s);
        return ok;
      },
      std::chrono::seconds{10});
}

smtp_sink::~smtp_sink() {
  if (pid_ > 0) {
    kill(pid_, SIGTERM);
    waitpid(pid_, nullptr, 0);
  }
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

std::vector<std::string> smtp_sink::mails_to(const std::string& address) const {
  return collect(address, true);
}

std::vector<std::string> smtp_sink::raw_mails_to(const std::string& address) const {
  return collect(address, false);
}

std::vector<std::string> smtp_sink::collect(const std::string& address, bool decode) const {
  std::vector<std::pair<std::filesystem::file_time_type, std::string>> found;
  for (const auto& e : std::filesystem::directory_iterator(dir_)) {
    std::ifstream in{e.path()};
    std::stringstream buf;
    buf << in.rdbuf();
    auto text = buf.str();
    if (text.find("X-Rcpt-Args: <" + address + ">") == std::string::npos)
      continue;
    auto blank = text.find("\n\n");
    auto crlf_blank = text.find("\r\n\r\n", text.find("Content-Transfer-Encoding"));
    auto start = crlf_blank != std::string::npos ? crlf_blank + 4 : blank + 2;
    found.emplace_back(e.last_write_time(), decode ? base64_decode(text.substr(start)) : text);
  }
  std::sort(found.begin(), found.end());
  std::vector<std::string> out;
  for (auto& f : found)
    out.push_back(std::move(f.second));
  return out;
}

std::string smtp_sink::wait_for(const std::string& address, size_t count) const {
  std::string last;
  eventually(
      [&] {
        auto m = mails_to(address);
        if (m.size() < count)
          return false;
        last = m.back();
        return true;
      },
      std::chrono::seconds{20});
  return last;
}

std::string field_after(const std::string& body, const std::string& label) {
  auto pos = body.find(label);
  if (pos == std::string::npos)
    return {};
  pos += label.size();
  auto end = body.find_first_of("\r\n", pos);
  auto v = body.substr(pos, end - pos);
  v.erase(0, v.find_first_not_of(' '));
  return v;
}

}  // namespace ivrcast::test
