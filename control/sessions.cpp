#include "control/sessions.hpp"

#include <vector>

#include "control/passwords.hpp"

namespace ivrcast::control {

session session_table::create(const std::string& user_id, bool must_change_password,
                              int64_t now_ms) {
  session s;
  s.token = random_hex(32);
  s.csrf = random_hex(16);
  s.user_id = user_id;
  s.must_change_password = must_change_password;
  s.last_seen_ms = now_ms;
  std::lock_guard<std::mutex> guard{mtx_};
  // Expired sessions go when a new one is made, so the table does not grow without bound.
  std::erase_if(by_token_,
                [&](const auto& kv) { return now_ms - kv.second.last_seen_ms > idle_ms; });
  by_token_[s.token] = s;
  return s;
}

std::optional<session> session_table::touch(const std::string& token, int64_t now_ms) {
  std::lock_guard<std::mutex> guard{mtx_};
  auto it = by_token_.find(token);
  if (it == by_token_.end())
    return std::nullopt;
  if (now_ms - it->second.last_seen_ms > idle_ms) {
    by_token_.erase(it);
    return std::nullopt;
  }
  it->second.last_seen_ms = now_ms;
  return it->second;
}

void session_table::update(const session& s) {
  std::lock_guard<std::mutex> guard{mtx_};
  if (auto it = by_token_.find(s.token); it != by_token_.end())
    it->second = s;
}

void session_table::erase(const std::string& token) {
  std::lock_guard<std::mutex> guard{mtx_};
  by_token_.erase(token);
}

void session_table::erase_user(const std::string& user_id, const std::string& except_token) {
  std::lock_guard<std::mutex> guard{mtx_};
  std::erase_if(by_token_, [&](const auto& kv) {
    return kv.second.user_id == user_id && kv.first != except_token;
  });
}

}  // namespace ivrcast::control
