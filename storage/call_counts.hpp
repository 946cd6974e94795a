#pragma once

#include <cstdint>
#include <functional>
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

/// Calls per account, incoming number and Japan-time day [着信件数], product.md §2.2.5. The
/// account is the number's owner when the call is folded in (`owner_of`, from the control
/// view), so an account's counts are its own keys and a number moved to another account
/// leaves its earlier calls with the first. Exactly-once:
/// counts and the partition's offset land in one write batch, and events at or below the stored
/// offset are skipped. A call counts once however often its gateway repeats `started`: the
/// first start of every call id is kept (call_starts), which also tells the call routers a
/// repeat from a new call. One writer per partition (the call_counter actor).
class call_counts {
 public:
  /// The account an incoming number belongs to now ("" if none; with no function, "" for all).
  using owner_fn = std::function<std::string(std::string_view number)>;
  explicit call_counts(std::shared_ptr<database> db, owner_fn owner_of = {});

  /// Counts the `started` events of a batch not counted before (by offset and by call id);
  /// stores its last offset.
  [[nodiscard]] caf::expected<void> apply(const messages::call_event_batch& b);

  /// Where `call` first started, if folded in here (and not forgotten by the retention).
  [[nodiscard]] caf::expected<std::optional<messages::event_position>> first_start(
      std::string_view call) const;

  /// Forgets the first starts of calls that started before `before_ms`; returns how many.
  [[nodiscard]] caf::expected<size_t> forget_starts_before(int64_t before_ms);

  /// Calls to `number` of `account` on `yyyymmdd` (0 if none).
  [[nodiscard]] caf::expected<uint64_t> get(std::string_view account, std::string_view number,
                                            uint32_t yyyymmdd) const;

  /// Per-day counts of `account`'s calls to `number` from `from` to `to` (yyyymmdd, inclusive):
  /// reads that account's keys only.
  [[nodiscard]] caf::expected<std::map<uint32_t, uint64_t>> days(std::string_view account,
                                                                 std::string_view number,
                                                                 uint32_t from, uint32_t to) const;

  /// Total calls per number, every account's, over all days or on `day` only (operators, tests).
  [[nodiscard]] caf::expected<std::map<std::string, uint64_t>> totals(
      std::optional<uint32_t> day = std::nullopt) const;

  /// Moves counts of the layout before accounts to their number's owner now; call at start,
  /// once the control view is read, before folding. Returns the keys moved.
  [[nodiscard]] caf::expected<size_t> move_to_accounts();

  /// Last offset folded in for `partition` (-1 if none).
  [[nodiscard]] caf::expected<int64_t> checkpoint(int32_t partition) const {
    return checkpoints_.load(partition);
  }

 private:
  std::shared_ptr<database> db_;
  offset_checkpoints checkpoints_;
  owner_fn owner_of_;
};

}  // namespace ivrcast::storage
