#include "metrics/json_log.hpp"

#include <cctype>
#include <chrono>
#include <ctime>

#include <spdlog/formatter.h>
#include <nlohmann/json.hpp>

namespace ivrcast::metrics {
namespace {

bool key_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '.';
}

bool integer(std::string_view v) {
  if (v.empty() || v.size() > 18)
    return false;
  size_t i = v.front() == '-' ? 1 : 0;
  if (i == v.size() || (v[i] == '0' && v.size() > i + 1))
    return false;  // "-" alone, or a leading zero (a phone number stays text)
  for (; i < v.size(); ++i)
    if (v[i] < '0' || v[i] > '9')
      return false;
  return true;
}

/// Splits "k=v k2=\"a b\" ..." into fields; false if the message is not entirely of that form.
bool parse_fields(std::string_view m, nlohmann::ordered_json& out) {
  size_t i = 0;
  while (i < m.size()) {
    if (m[i] == ' ') {
      ++i;
      continue;
    }
    size_t k = i;
    while (i < m.size() && key_char(m[i]))
      ++i;
    if (i == k || i >= m.size() || m[i] != '=')
      return false;
    std::string key{m.substr(k, i - k)};
    ++i;
    std::string value;
    if (i < m.size() && m[i] == '"') {
      ++i;
      bool closed = false;
      while (i < m.size()) {
        char c = m[i++];
        if (c == '\\' && i < m.size()) {
          // The escapes of log_escaped (messages/text.hpp): the text as it was sent.
          char e = m[i++];
          if (e == 'n')
            value += '\n';
          else if (e == 'r')
            value += '\r';
          else if (e == 't')
            value += '\t';
          else if (e == 'x' && i + 2 <= m.size() &&
                   std::isxdigit(static_cast<unsigned char>(m[i])) &&
                   std::isxdigit(static_cast<unsigned char>(m[i + 1]))) {
            value += static_cast<char>(std::stoi(std::string{m.substr(i, 2)}, nullptr, 16));
            i += 2;
          } else
            value += e;
        } else if (c == '"') {
          closed = true;
          break;
        } else {
          value += c;
        }
      }
      if (!closed)
        return false;
      out[key] = value;
    } else {
      size_t v = i;
      while (i < m.size() && m[i] != ' ')
        ++i;
      auto raw = m.substr(v, i - v);
      if (integer(raw))
        out[key] = std::stoll(std::string{raw});
      else
        out[key] = std::string{raw};
    }
  }
  return true;
}

class formatter final : public spdlog::formatter {
 public:
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(msg.time.time_since_epoch());
    auto level = spdlog::level::to_string_view(msg.level);
    auto line = json_log_line(ms.count(), {level.data(), level.size()},
                              {msg.logger_name.data(), msg.logger_name.size()},
                              {msg.payload.data(), msg.payload.size()});
    line += '\n';
    dest.append(line.data(), line.data() + line.size());
  }
  std::unique_ptr<spdlog::formatter> clone() const override {
    return std::make_unique<formatter>();
  }
};

}  // namespace

std::string json_log_line(int64_t unix_ms, std::string_view level, std::string_view logger,
                          std::string_view message) {
  auto secs = static_cast<std::time_t>(unix_ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char ts[40];
  auto n = std::strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%S", &tm);
  std::snprintf(ts + n, sizeof ts - n, ".%03dZ", static_cast<int>(unix_ms % 1000));
  nlohmann::ordered_json out{{"ts", ts}, {"level", level}, {"logger", logger}};
  nlohmann::ordered_json fields = nlohmann::ordered_json::object();
  if (parse_fields(message, fields)) {
    for (auto& [k, v] : fields.items())
      if (!out.contains(k))  // a field may not pass for ts, level or logger
        out[k] = v;
  } else {
    out["msg"] = message;
  }
  // Invalid UTF-8 in a message (a caller's bytes) is replaced, never a lost line.
  return out.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

std::unique_ptr<spdlog::formatter> json_log_formatter() {
  return std::make_unique<formatter>();
}

}  // namespace ivrcast::metrics
