#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string_view>

#include <caf/expected.hpp>

#include "messages/sms.pb.h"
#include "storage/offset_checkpoints.hpp"

namespace ivrcast::storage {

class database;

/// One record of a topic as a projection receives it.
struct topic_record {
  int64_t offset = 0;
  std::string_view key;
  std::string_view value;
};

/// Every node's copy of the sms.sends topic: the durable "already submitted" record per message,
/// consulted before every submit. One writer (the node's sends reader); any thread may read.
class sends {
 public:
  static constexpr size_t max_partitions = 1024;

  explicit sends(std::shared_ptr<database> db);

  /// Stores a run of one partition's records with the offset, in one batch. Undecodable
  /// records are skipped and counted (we are their only writer: it would be a bug).
  [[nodiscard]] caf::expected<void> apply(int32_t partition, std::span<const topic_record> recs);

  /// The record of `message_id`, if any.
  [[nodiscard]] caf::expected<std::optional<wire::SendRecord>> find(
      std::string_view message_id) const;

  /// Last offset applied in `partition` (-1: none), readable from any thread.
  int64_t applied(int32_t partition) const;
  /// Last offset stored, from RocksDB (start-up).
  [[nodiscard]] caf::expected<int64_t> checkpoint(int32_t partition) const;
  uint64_t refused() const { return refused_.load(); }

 private:
  std::shared_ptr<database> db_;
  offset_checkpoints checkpoints_;
  std::array<std::atomic<int64_t>, max_partitions> applied_;
  std::atomic<uint64_t> refused_{0};
};

}  // namespace ivrcast::storage
