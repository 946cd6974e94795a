#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <span>

#include <caf/expected.hpp>

#include "sms/usage.hpp"
#include "storage/offset_checkpoints.hpp"
#include "storage/sends.hpp"

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

/// Monthly usage per account and carrier for billing (product.md §7): a projection of
/// sms.sends of its own (beside the sends view, which the senders wait on and which must stay
/// quick), with a mark per billed message and its offsets in the same write batch: exactly
/// once, and rebuilt the same from the topic. One writer; reads from any thread.
class usage {
 public:
  explicit usage(std::shared_ptr<database> db);

  /// Folds a run of one partition's send records, skipping those at or below its checkpoint.
  /// Undecodable records are skipped (the sends view counts them).
  [[nodiscard]] caf::expected<void> apply(int32_t partition, std::span<const topic_record> recs);
  [[nodiscard]] caf::expected<int64_t> checkpoint(int32_t partition) const;

  /// One account's rows of months [from, to], by month then carrier.
  [[nodiscard]] caf::expected<std::vector<usage_row>> of_account(std::string_view account,
                                                                 uint32_t from, uint32_t to) const;
  /// Every account's rows of months [from, to], by account, month, carrier.
  [[nodiscard]] caf::expected<std::vector<usage_row>> all(uint32_t from, uint32_t to) const;

 private:
  /// What a batch bills one account in one month through one carrier.
  struct batch_sum {
    uint64_t messages = 0;
    uint64_t segments = 0;
    uint64_t parts = 0;
  };
  /// Adds `sum` to `wb` (merges: no read).
  void stage(rocksdb::WriteBatch& wb, std::string_view account, uint32_t month, sms::carrier via,
             const batch_sum& sum) const;
  /// Rows of keys from `lower` on while they start with `prefix`, months in [from, to].
  caf::expected<std::vector<usage_row>> scan(std::string_view prefix, uint32_t from,
                                             uint32_t to) const;
  std::shared_ptr<database> db_;
  offset_checkpoints checkpoints_;
};

}  // namespace ivrcast::storage
