#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>

#include <caf/expected.hpp>

namespace ivrcast::storage {
class control_state;
}
namespace ivrcast::wire {
class User;
}

namespace ivrcast::control {

class writer;

/// A logged-in browser.
struct session {
  std::string token;  // the HttpOnly cookie's value
  std::string csrf;   // must come back in X-CSRF-Token on every change; derived from the token
  std::string user_id;
  std::string account_id;  // chosen after login; empty until then
  bool must_change_password = false;
  int64_t last_seen_ms = 0;
  int64_t epoch = 0;  // the user's session_epoch when it was made
};

/// Portal sessions, held in the control state so that every node serves every session and a
/// node restart logs nobody out (product.md §6: 30 minutes idle ends one). The topic holds a
/// hash of the token, never the token. Use is written back at most once a minute, so idle time
/// is known to the minute across nodes. Ending a user's sessions everywhere is a move of the
/// user's session_epoch (the caller's user update), checked on every request. Thread-safe: HTTP
/// worker threads share one.
class session_store {
 public:
  static constexpr int64_t idle_ms = 30 * 60 * 1000;
  static constexpr int64_t touch_every_ms = 60 * 1000;

  session_store(const storage::control_state& state, writer& out);

  /// A new session for `u` at the user's current epoch, working in `account_id` (empty: none
  /// chosen yet), written before it returns.
  [[nodiscard]] caf::expected<session> create(const wire::User& u, bool must_change_password,
                                              const std::string& account_id, int64_t now_ms);
  /// The session of `token` if it exists and was used within idle_ms, marked used now (an
  /// expired one is deleted). Whether its epoch is still the user's is the caller's check.
  [[nodiscard]] caf::expected<std::optional<session>> touch(const std::string& token,
                                                            int64_t now_ms);
  /// Writes a live session's account, password flag and epoch.
  [[nodiscard]] caf::expected<void> update(const session& s);
  /// Ends one session (logout; a session of an older epoch).
  [[nodiscard]] caf::expected<void> erase(const session& s);
  /// Deletes the records of sessions idle for longer than idle_ms, at most every 10 minutes
  /// per node (any node may: a deletion is idempotent); the number deleted.
  [[nodiscard]] caf::expected<size_t> purge(int64_t now_ms);

 private:
  const storage::control_state* state_;
  writer* out_;
  std::mutex mtx_;
  int64_t next_purge_ms_ = 0;
};

/// The control-state key of the session of `token`.
std::string session_key(const std::string& token);

}  // namespace ivrcast::control
