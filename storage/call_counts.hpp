#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <caf/expected.hpp>

#include "messages/calls.hpp"
#include "messages/clock.hpp"
#include "storage/offset_checkpoints.hpp"

namespace ivrcast::storage {

class database;

using ivrcast::jst_day;  // Japan-time calendar day (yyyymmdd), messages/clock.hpp

/// Calls per incoming number per Japan-time day [着信件数], product.md §2.2.5. Exactly-once:
/// counts and the partition's offset land in one write batch, and events at or below the stored
/// offset are skipped. A call counts once however often its gateway repeats `started`: the
/// first start of every call id is kept (call_starts), which also tells the call routers a
/// repeat from a new call. One writer per partition (the call_counter actor).
class call_counts {
 public:
  explicit call_counts(std::shared_ptr<database> db);

  /// Counts the `started` events of a batch not counted before (by offset and by call id);
  /// stores its last offset.
  [[nodiscard]] caf::expected<void> apply(const messages::call_event_batch& b);

  /// Where `call` first started, if folded in here (and not forgotten by the retention).
  [[nodiscard]] caf::expected<std::optional<messages::event_position>> first_start(
      std::string_view call) const;

  /// Forgets the first starts of calls that started before `before_ms`; returns how many.
  [[nodiscard]] caf::expected<size_t> forget_starts_before(int64_t before_ms);

  /// Calls to `number` on `yyyymmdd` (0 if none).
  [[nodiscard]] caf::expected<uint64_t> get(std::string_view number, uint32_t yyyymmdd) const;

  /// Per-day counts of `number` from `from` to `to` (yyyymmdd, inclusive).
  [[nodiscard]] caf::expected<std::map<uint32_t, uint64_t>> days(std::string_view number,
                                                                 uint32_t from, uint32_t to) const;

  /// Total calls per number over all days.
  [[nodiscard]] caf::expected<std::map<std::string, uint64_t>> totals() const;

  /// Last offset folded in for `partition` (-1 if none).
  [[nodiscard]] caf::expected<int64_t> checkpoint(int32_t partition) const {
    return checkpoints_.load(partition);
  }

 private:
  std::shared_ptr<database> db_;
  offset_checkpoints checkpoints_;
};

}  // namespace ivrcast::storage
