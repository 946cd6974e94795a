#include "connectors/smtp/mailer.hpp"

#include <curl/curl.h>

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <ctime>
#include <fstream>
#include <sstream>

#include "connectors/log.hpp"
#include "messages/errc.hpp"

namespace ivrcast::connectors::smtp {
namespace {

std::string base64(std::string_view in) {
  static constexpr char table[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    uint32_t v = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8) | uint8_t(in[i + 2]);
    for (int s : {18, 12, 6, 0})
      out += table[(v >> s) & 63];
  }
  if (i < in.size()) {
    uint32_t v = uint8_t(in[i]) << 16;
    if (i + 1 < in.size())
      v |= uint8_t(in[i + 1]) << 8;
    out += table[(v >> 18) & 63];
    out += table[(v >> 12) & 63];
    out += i + 1 < in.size() ? table[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

/// "Name <addr>" with a non-ASCII (or specials-bearing) name as an RFC 2047 encoded word;
/// a bare address as it is.
std::string mailbox(const std::string& s) {
  auto lt = s.find('<');
  if (lt == std::string::npos)
    return s;
  std::string name = s.substr(0, lt);
  while (!name.empty() && name.back() == ' ')
    name.pop_back();
  if (name.empty())
    return "<" + address_of(s) + ">";
  bool plain = std::all_of(name.begin(), name.end(), [](char c) {
    auto u = static_cast<unsigned char>(c);
    return u >= 0x20 && u < 0x7F && !std::strchr("()<>[]:;@\\,.\"", c);
  });
  return (plain ? name : "=?UTF-8?B?" + base64(name) + "?=") + " <" + address_of(s) + ">";
}

/// RFC 5322 date of now: "Sat, 05 Dec 2026 19:03:45 +0000".
std::string rfc5322_now() {
  auto t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  static constexpr const char* days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                           "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s, %02d %s %04d %02d:%02d:%02d +0000", days[tm.tm_wday],
                tm.tm_mday, months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
  return buf;
}

/// A fresh Message-ID on the sender's domain.
std::string fresh_message_id(const std::string& from) {
  static std::atomic<uint64_t> counter{0};
  auto addr = address_of(from);
  auto at = addr.find('@');
  auto domain = at == std::string::npos ? std::string{"ivrcast.invalid"} : addr.substr(at + 1);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%lld.%d.%llu", static_cast<long long>(std::time(nullptr)),
                static_cast<int>(::getpid()), static_cast<unsigned long long>(++counter));
  return "<" + std::string{buf} + "@" + domain + ">";
}

thread_local std::string last_failure;

struct upload {
  std::string_view data;
  size_t pos = 0;
  static size_t read(char* buf, size_t size, size_t n, void* self) {
    auto* u = static_cast<upload*>(self);
    auto len = std::min(size * n, u->data.size() - u->pos);
    std::memcpy(buf, u->data.data() + u->pos, len);
    u->pos += len;
    return len;
  }
};

bool curl_ready() {
  static const bool ok = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
  return ok;
}

}  // namespace

std::string address_of(const std::string& s) {
  auto lt = s.find('<'), gt = s.find('>');
  return lt != std::string::npos && gt > lt ? s.substr(lt + 1, gt - lt - 1) : s;
}

caf::expected<std::string> mailer::render(const std::string& to, const std::string& name,
                                          const std::map<std::string, std::string>& values,
                                          const std::string& message_id) const {
  auto path = settings_.templates + "/" + name + ".txt";
  std::ifstream in{path};
  if (!in)
    return caf::make_error(errc::io_failure, "mailer", "cannot read template " + path);
  std::stringstream buf;
  buf << in.rdbuf();
  auto text = buf.str();
  for (const auto& [k, v] : values) {
    auto tag = "{{" + k + "}}";
    for (auto pos = text.find(tag); pos != std::string::npos; pos = text.find(tag, pos + v.size()))
      text.replace(pos, tag.size(), v);
  }
  if (!text.starts_with("Subject: "))
    return caf::make_error(errc::bad_input, "mailer", path + " must start with 'Subject: '");
  auto eol = text.find('\n');
  auto subject = text.substr(9, eol - 9);
  auto body = eol == std::string::npos ? std::string{} : text.substr(eol + 1);
  if (body.starts_with("\n"))
    body.erase(0, 1);
  std::string crlf;
  for (char c : body) {
    if (c == '\n')
      crlf += '\r';
    crlf += c;
  }
  std::string msg;
  msg += "From: " + mailbox(settings_.from) + "\r\n";
  msg += "To: " + mailbox(to) + "\r\n";
  msg += "Subject: =?UTF-8?B?" + base64(subject) + "?=\r\n";
  msg += "Date: " + rfc5322_now() + "\r\n";
  msg += "Message-ID: " + (message_id.empty() ? fresh_message_id(settings_.from) : message_id) +
         "\r\n";
  msg += "MIME-Version: 1.0\r\n";
  msg += "Content-Type: text/plain; charset=UTF-8\r\n";
  msg += "Content-Transfer-Encoding: base64\r\n\r\n";
  auto encoded = base64(crlf);
  for (size_t i = 0; i < encoded.size(); i += 76)
    msg += encoded.substr(i, 76) + "\r\n";
  return msg;
}

const char* to_string(mail_outcome x) {
  switch (x) {
    case mail_outcome::sent:
      return "sent";
    case mail_outcome::not_configured:
      return "not_configured";
    case mail_outcome::failed:
      return "failed";
  }
  return "failed";
}

std::string mailer::last_error() {
  return last_failure;
}

mail_outcome mailer::deliver(const std::string& to, const std::string& name,
                             const std::map<std::string, std::string>& values,
                             const std::string& message_id) const {
  auto msg = render(to, name, values, message_id);
  if (msg && settings_.url.empty()) {
    logger().warn("event=mail_not_sent reason=no_smtp_url to={} template={}", to, name);
    return mail_outcome::not_configured;
  }
  auto ok = msg ? transmit(to, *msg) : caf::expected<void>{std::move(msg.error())};
  if (!ok) {
    last_failure = describe(ok.error());
    logger().error("event=mail_failed to={} template={} error=\"{}\"", to, name,
                   describe(ok.error()));
    return mail_outcome::failed;
  }
  logger().info("event=mail_sent to={} template={}", to, name);
  return mail_outcome::sent;
}

caf::expected<void> mailer::transmit(const std::string& to, const std::string& msg) const {
  if (!curl_ready())
    return caf::make_error(errc::io_failure, "mailer", "libcurl did not initialise");
  CURL* c = curl_easy_init();
  if (!c)
    return caf::make_error(errc::io_failure, "mailer", "libcurl handle");
  upload u{msg};
  auto from = "<" + address_of(settings_.from) + ">";
  auto rcpt_addr = "<" + address_of(to) + ">";
  curl_slist* rcpt = curl_slist_append(nullptr, rcpt_addr.c_str());
  curl_easy_setopt(c, CURLOPT_URL, settings_.url.c_str());
  curl_easy_setopt(c, CURLOPT_MAIL_FROM, from.c_str());
  curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpt);
  curl_easy_setopt(c, CURLOPT_READFUNCTION, &upload::read);
  curl_easy_setopt(c, CURLOPT_READDATA, &u);
  curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  // STARTTLS whenever the server offers it; a server without it still gets the mail.
  curl_easy_setopt(c, CURLOPT_USE_SSL, static_cast<long>(CURLUSESSL_TRY));
  auto rc = curl_easy_perform(c);
  curl_slist_free_all(rcpt);
  curl_easy_cleanup(c);
  if (rc != CURLE_OK)
    return caf::make_error(errc::io_failure, "mailer", curl_easy_strerror(rc));
  return {};
}

}  // namespace ivrcast::connectors::smtp
