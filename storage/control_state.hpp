#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <caf/expected.hpp>

#include "messages/control.pb.h"
#include "storage/offset_checkpoints.hpp"

namespace ivrcast::storage {

class database;

/// One record of the control topic.
struct control_input {
  int64_t offset = 0;
  std::string_view key;
  std::string_view value;  // empty: tombstone
};

/// What applying a record did, for views derived from the state (the IVR's flow table).
struct control_change {
  std::string key;
  std::optional<wire::ControlRecord> record;  // nullopt: deleted
};

/// The control plane as every node holds it: the records of control.state (enterprises,
/// accounts, users, flow drafts, published flows, audio) by key in the `control` column family,
/// plus an email → user index, folded exactly once (the offset lands in the same batch). Each
/// stored record carries its revision (the offset it was written at); a conditional write
/// (`expect_revision`) is folded in only if its key is still at that revision, so read-modify-
/// write cycles of different nodes never overwrite each other (control::writer::update).
/// One writer (the topic's reader); reads from any thread. `wait_applied` gives writers
/// read-your-writes.
class control_state {
 public:
  explicit control_state(std::shared_ptr<database> db);

  /// Folds a batch, skipping records at or below the checkpoint. A record that does not decode
  /// or whose key does not match its content is refused (its reason goes to `refused`) and the
  /// state is left as it was for that key.
  [[nodiscard]] caf::expected<std::vector<control_change>> apply(
      int64_t last_offset, std::span<const control_input> recs, std::vector<std::string>& refused);

  /// Last offset folded in (-1 if none).
  int64_t applied() const { return applied_.load(); }
  /// Whether the conditional write at `offset` (already folded in) was refused because its key
  /// had moved on from the revision it expected. Remembers the last few thousand refusals:
  /// writers ask right after their write is folded in.
  bool refused_as_stale(int64_t offset) const;
  /// Waits until `offset` is folded in; false after `timeout`.
  bool wait_applied(int64_t offset, std::chrono::milliseconds timeout) const;

  [[nodiscard]] caf::expected<std::optional<wire::ControlRecord>> get(std::string_view key) const;
  /// Every record whose key starts with `prefix`, in key order, until `fn` returns false.
  [[nodiscard]] caf::expected<void> scan(
      std::string_view prefix,
      const std::function<bool(std::string_view key, const wire::ControlRecord&)>& fn) const;
  /// The user id registered under `email` (lower case), if any.
  [[nodiscard]] caf::expected<std::optional<std::string>> user_by_email(
      std::string_view email) const;
  /// The bytes of an uploaded audio file, if all of its chunks are present.
  [[nodiscard]] caf::expected<std::optional<std::string>> audio(std::string_view audio_id) const;

  /// Key of a record: "<kind>/<id>" (audio: "audio/<id>/<index, 5 digits>"; carrier tables:
  /// "carriers/<name>/<index, 5 digits>").
  static std::string key_of(const wire::ControlRecord& r);

 private:
  std::shared_ptr<database> db_;
  offset_checkpoints checkpoints_;
  std::atomic<int64_t> applied_{-1};
  static constexpr size_t max_conflicts_kept = 4096;
  mutable std::mutex mtx_;
  mutable std::condition_variable cv_;
  std::deque<int64_t> conflicts_;
};

}  // namespace ivrcast::storage
