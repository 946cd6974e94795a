#pragma once

#include <map>
#include <string>

#include <caf/expected.hpp>

#include "config/settings.hpp"

namespace ivrcast::connectors::smtp {

/// Sends mails made from templates (`<templates>/<name>.txt`: a `Subject:` line, a blank line,
/// the body; `{{key}}` is replaced by the value of `key`) over SMTP with libcurl. Without an
/// SMTP URL the mail is logged instead (the demo). Thread-safe; each send is one connection.
class mailer {
 public:
  explicit mailer(config::smtp_settings s) : settings_(std::move(s)) {}

  /// Renders template `name` for `to` and sends it; fails naming what went wrong.
  [[nodiscard]] caf::expected<void> send(const std::string& to, const std::string& name,
                                         const std::map<std::string, std::string>& values) const;

  /// The rendered message (headers and body) without sending it.
  [[nodiscard]] caf::expected<std::string> render(
      const std::string& to, const std::string& name,
      const std::map<std::string, std::string>& values) const;

 private:
  config::smtp_settings settings_;
};

}  // namespace ivrcast::connectors::smtp
