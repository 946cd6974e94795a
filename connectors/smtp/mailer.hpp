#pragma once

#include <map>
#include <string>

#include <caf/expected.hpp>

#include "config/settings.hpp"

namespace ivrcast::connectors::smtp {

/// The address inside "Display Name <addr>", or the whole text.
std::string address_of(const std::string& mailbox);

/// What became of a mail.
enum class mail_outcome : uint8_t {
  sent,            // handed to the SMTP server
  not_configured,  // no smtp.url: rendered, not sent (the demo, or a node without mail)
  failed,          // the template or the SMTP server refused it (logged)
};

/// "sent", "not_configured" or "failed", as the API reports it.
const char* to_string(mail_outcome x);

/// Sends mails made from templates (`<templates>/<name>.txt`: a `Subject:` line, a blank line,
/// the body; `{{key}}` is replaced by the value of `key`) over SMTP with libcurl. Without an
/// SMTP URL nothing is sent and the caller is told so. STARTTLS is used whenever the server
/// offers it (smtps:// URLs are TLS from the start). Thread-safe; each send is one connection.
class mailer {
 public:
  explicit mailer(config::smtp_settings s) : settings_(std::move(s)) {}

  /// Renders template `name` for `to` ("addr" or "Display Name <addr>") and sends it; failures
  /// are logged with their reason. `message_id` ("<id@host>"): a mail that must be recognisable
  /// as the same one; empty: a fresh one.
  [[nodiscard]] mail_outcome deliver(const std::string& to, const std::string& name,
                                     const std::map<std::string, std::string>& values,
                                     const std::string& message_id = {}) const;

  /// The rendered message without sending it: From, To (display names RFC 2047-encoded),
  /// Subject, Date, Message-ID, MIME headers and the base64 UTF-8 body.
  [[nodiscard]] caf::expected<std::string> render(const std::string& to, const std::string& name,
                                                  const std::map<std::string, std::string>& values,
                                                  const std::string& message_id = {}) const;

  /// Why the last failed delivery failed (this thread's), for callers that record it.
  static std::string last_error();

 private:
  /// Hands the rendered `msg` to the SMTP server; fails naming what went wrong.
  caf::expected<void> transmit(const std::string& to, const std::string& msg) const;

  config::smtp_settings settings_;
};

}  // namespace ivrcast::connectors::smtp
