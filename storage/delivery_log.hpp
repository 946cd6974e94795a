#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <caf/expected.hpp>

#include "messages/sms.pb.h"
#include "sms/carrier.hpp"
#include "sms/log_row.hpp"
#include "storage/offset_checkpoints.hpp"

namespace ivrcast::storage {

class database;

/// A decoded status event and where it came from.
struct status_input {
  int64_t offset = 0;
  wire::StatusEvent event;
};

/// One partition's events of a read, and its last record (which may have been refused and left
/// out of `evs`).
struct status_batch {
  int32_t partition = 0;
  int64_t last_offset = 0;
  std::span<const status_input> evs;
};

/// The delivery log [配信ログ]: one row per message, folded from the sms.status topic
/// exactly once (the partition's offset lands in the same batch as the rows). Receipts that
/// arrive before their submit is known are parked and applied when it is. Statuses only move
/// forward. Keys are ordered by send-scheduled time, so a range is one scan; a destination
/// index serves "range + destination". A row with an account also has a copy among that
/// account's rows (same bytes, same write), which the portal's searches and exports read. Writers
/// (apply, purge, the 不定 sweep) serialise on an internal mutex; reads run from any thread.
class delivery_log {
 public:
  delivery_log(std::shared_ptr<database> db, std::vector<std::string> docomo_retry_errors);

  /// Folds one partition's events, skipping those at or below its checkpoint, and stores
  /// `last_offset` (the batch's last record, which may have been refused and left out of `evs`).
  [[nodiscard]] caf::expected<void> apply(int32_t partition, int64_t last_offset,
                                          std::span<const status_input> evs) {
    status_batch b{partition, last_offset, evs};
    return apply({&b, 1});
  }
  /// Folds several partitions' events in one write, with every partition's checkpoint. The
  /// receipts go last: a receipt and its message's submit are in different partitions, so a
  /// receipt read with its submit would otherwise often be parked and unparked in one batch.
  [[nodiscard]] caf::expected<void> apply(std::span<const status_batch> batches);
  [[nodiscard]] caf::expected<int64_t> checkpoint(int32_t partition) const;

  /// Receipts folded in since start: onto their row, or parked until their submit is known;
  /// and parked ones put onto their row since, when their submit came.
  struct receipt_counts {
    std::atomic<uint64_t> matched{0};
    std::atomic<uint64_t> parked{0};
    std::atomic<uint64_t> unparked{0};
  };
  const receipt_counts& receipts() const { return receipts_; }

  /// The row of one message.
  [[nodiscard]] caf::expected<std::optional<sms::log_row>> find(std::string_view message_id) const;

  /// Calls `fn` for each row scheduled in [from_ms, to_ms), in time order, optionally only for
  /// one destination (national form), until `fn` returns false. Returns the rows visited.
  [[nodiscard]] caf::expected<size_t> scan(
      int64_t from_ms, int64_t to_ms, std::string_view destination,
      const std::function<bool(const sms::log_row&)>& fn) const;

  /// Where an account scan's page stopped: the last row it read.
  struct position {
    int64_t requested_at_ms = 0;
    std::string message_id;
  };
  /// One account's rows scheduled in [from_ms, to_ms), read from that account's own copies of
  /// its rows (through its index by destination if given, else by incoming number if given),
  /// so a small tenant's search costs the same however many rows other accounts have. A scan that
  /// goes on `after` a position never sees that row or those before it (in its direction) again,
  /// whatever rows arrive meanwhile.
  struct account_scan {
    std::string_view account;
    int64_t from_ms = 0;
    int64_t to_ms = 0;
    std::string_view destination;      // national form; empty: any
    std::string_view incoming_number;  // national form; empty: any (used when no destination)
    bool newest_first = false;
    const position* after = nullptr;
    /// A read of many rows (an export): reads ahead, and leaves the block cache to searches.
    bool bulk = false;
  };
  /// Calls `fn` for each row of `q` in its order until `fn` returns false (never for a row
  /// naming another account); returns the rows read.
  [[nodiscard]] caf::expected<size_t> scan_account(
      const account_scan& q, const std::function<bool(const sms::log_row&)>& fn) const;

  /// Copies and indexes by account the rows folded before the account copies existed (once: a
  /// marker remembers). Call at start, before folding; returns the rows copied.
  [[nodiscard]] caf::expected<size_t> index_accounts();

  /// At most `limit` rows of a search (the screen's result list).
  [[nodiscard]] caf::expected<std::vector<sms::log_row>> search(int64_t from_ms, int64_t to_ms,
                                                                std::string_view destination,
                                                                size_t limit) const;

  /// Where a short link goes: its message and the original URL.
  struct link_target {
    std::string message_id;
    std::string url;
  };
  /// The target of a short-link code (for the redirector), or nullopt if unknown or purged.
  [[nodiscard]] caf::expected<std::optional<link_target>> short_link(std::string_view code) const;

  /// The SMSC ids of every part of a message whose SUBMITTED event the log has applied; empty
  /// if none (or no row).
  [[nodiscard]] caf::expected<std::vector<std::string>> submitted_ids(
      std::string_view message_id) const;

  /// A parked receipt of `c` from `handset` received at or after `since_ms` whose id `taken`
  /// does not claim: a part submitted in doubt that the carrier did receive. Returns its id.
  [[nodiscard]] caf::expected<std::optional<std::string>> unmatched_receipt(
      sms::carrier c, std::string_view handset, int64_t since_ms,
      const std::function<bool(const std::string&)>& taken) const;

  /// Closes docomo messages still without a result `after_ms` after sending as 不定.
  [[nodiscard]] caf::expected<size_t> close_undetermined(int64_t now_ms, int64_t after_ms);

  /// Deletes rows scheduled before `before_ms` with their index entries (retention).
  [[nodiscard]] caf::expected<size_t> purge(int64_t before_ms);

  /// Row conversion, for the HTTP API and tests.
  static sms::log_row to_row(const wire::LogRow& r);
  /// The same into a row whose strings are reused (scans).
  static void fill_row(const wire::LogRow& r, sms::log_row& out);

 private:
  /// Rows whose keys lie in [lower, upper): the rows themselves, or (index_prefix > 0) the rows
  /// an index names, each at `row_prefix` + its entry's tail after `index_prefix` bytes.
  struct range_read {
    std::string lower;
    std::string upper;
    size_t index_prefix = 0;
    std::string_view row_prefix;
    bool backwards = false;
    bool bulk = false;  // see account_scan::bulk
  };
  [[nodiscard]] caf::expected<size_t> scan_range(
      const range_read& r, const std::function<bool(const sms::log_row&)>& fn) const;

  std::shared_ptr<database> db_;
  offset_checkpoints checkpoints_;
  std::vector<std::string> retry_errors_;
  std::mutex write_mtx_;
  receipt_counts receipts_;
};

}  // namespace ivrcast::storage
