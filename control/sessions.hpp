#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

namespace ivrcast::control {

/// A logged-in browser.
struct session {
  std::string token;  // the HttpOnly cookie's value
  std::string csrf;   // must come back in X-CSRF-Token on every change
  std::string user_id;
  std::string account_id;  // chosen after login; empty until then
  bool must_change_password = false;
  int64_t last_seen_ms = 0;
};

/// Sessions of this node, in memory: 30 minutes idle ends one (product.md §6). Thread-safe.
/// (A deployment with several portal nodes routes a browser to one node: see
/// docs/control-plane.md.)
class session_table {
 public:
  static constexpr int64_t idle_ms = 30 * 60 * 1000;

  /// A new session for `user_id`.
  session create(const std::string& user_id, bool must_change_password, int64_t now_ms);
  /// The session of `token` if it exists and was used within idle_ms, marked used now.
  std::optional<session> touch(const std::string& token, int64_t now_ms);
  /// Changes a live session.
  void update(const session& s);
  void erase(const std::string& token);
  /// Ends every session of a user (password change elsewhere, deletion).
  void erase_user(const std::string& user_id, const std::string& except_token = {});

 private:
  std::mutex mtx_;
  std::unordered_map<std::string, session> by_token_;
};

}  // namespace ivrcast::control
