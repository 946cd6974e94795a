#pragma once

#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace ivrcast::test {

/// One HTTP answer.
struct reply {
  int status = 0;
  nlohmann::json body;  // null unless the answer was JSON
  std::string raw;
  std::string content_type;
  std::string location;
  /// The error code of a JSON error answer ("" if none).
  std::string code() const;
};

/// A browser-like client of the API: keeps the session cookie and sends the CSRF token on
/// every change (unless told not to), from one client address.
class portal_client {
 public:
  explicit portal_client(int port);
  ~portal_client();

  reply get(const std::string& path);
  reply post(const std::string& path, const nlohmann::json& body);
  reply put(const std::string& path, const nlohmann::json& body);
  reply put_bytes(const std::string& path, const std::string& bytes, const std::string& type);
  reply del(const std::string& path);
  reply send(const std::string& method, const std::string& path, const std::string& body,
             const std::string& type = "application/json");

  /// POST /v1/session; keeps the cookie and CSRF token of a successful login.
  reply login(const std::string& email, const std::string& password);

  bool send_csrf = true;
  std::string bearer;  // Authorization: Bearer … (the operator's admin API)
  std::string session_cookie;
  std::string csrf;

 private:
  int port_;
};

/// Postfix's smtp-sink on a free loopback port, dumping each mail into a directory.
class smtp_sink {
 public:
  /// `data_delay_s`: seconds it waits before answering each DATA (a slow server).
  explicit smtp_sink(int data_delay_s = 0);
  ~smtp_sink();
  std::string url() const { return "smtp://127.0.0.1:" + std::to_string(port_); }
  /// Decoded bodies (UTF-8 text) of the mails delivered to `address` so far, oldest first.
  std::vector<std::string> mails_to(const std::string& address) const;
  /// The same mails whole: headers as received, the body still encoded.
  std::vector<std::string> raw_mails_to(const std::string& address) const;
  /// Waits until `address` has `count` mails; returns the newest body ("" on timeout).
  std::string wait_for(const std::string& address, size_t count) const;

 private:
  std::vector<std::string> collect(const std::string& address, bool decode) const;

  std::string dir_;
  int port_ = 0;
  int pid_ = 0;
};

/// Decodes base64 (mail bodies, RFC 2047 encoded words), skipping line breaks.
std::string base64_decode(std::string_view in);

/// The value after `label` up to the end of its line in a mail body ("" if absent).
std::string field_after(const std::string& body, const std::string& label);

}  // namespace ivrcast::test
