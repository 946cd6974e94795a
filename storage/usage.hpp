#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <caf/expected.hpp>

#include "sms/usage.hpp"

namespace rocksdb {
class WriteBatch;
}

namespace ivrcast::storage {

class database;

/// One account's month on one carrier.
struct usage_row {
  std::string account;
  uint32_t month = 0;  // YYYYMM, Japan time
  sms::carrier via = sms::carrier::au;
  uint64_t messages = 0;
  uint64_t segments = 0;
  uint64_t parts = 0;
};

/// Monthly usage per account and carrier for billing (product.md §7), folded from sms.sends
/// in the same write batch as the sends view and its offsets (storage::sends): exactly once,
/// and rebuilt the same from the topic. Reads from any thread.
class usage {
 public:
  explicit usage(std::shared_ptr<database> db) : db_(std::move(db)) {}

  /// Adds `inc` to `wb` (merges: no read).
  void stage(rocksdb::WriteBatch& wb, const sms::usage_increment& inc) const;

  /// One account's rows of months [from, to], by month then carrier.
  [[nodiscard]] caf::expected<std::vector<usage_row>> of_account(std::string_view account,
                                                                 uint32_t from, uint32_t to) const;
  /// Every account's rows of months [from, to], by account, month, carrier.
  [[nodiscard]] caf::expected<std::vector<usage_row>> all(uint32_t from, uint32_t to) const;

 private:
  /// Rows of keys from `lower` on while they start with `prefix`, months in [from, to].
  caf::expected<std::vector<usage_row>> scan(std::string_view prefix, uint32_t from,
                                             uint32_t to) const;
  std::shared_ptr<database> db_;
};

}  // namespace ivrcast::storage
