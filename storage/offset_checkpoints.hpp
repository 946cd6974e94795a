#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include <caf/expected.hpp>

namespace rocksdb {
class WriteBatchBase;
}

namespace ivrcast::storage {

class database;

/// The last offset a projection folded in, per partition, kept in the `offsets` column family
/// and always written in the same batch as the rows it covers.
class offset_checkpoints {
 public:
  offset_checkpoints(std::shared_ptr<database> db, std::string projection);

  /// Last offset stored for `partition`, or -1 if none.
  [[nodiscard]] caf::expected<int64_t> load(int32_t partition) const;

  /// Adds "partition is done through `offset`" to `wb`.
  void stage(rocksdb::WriteBatchBase& wb, int32_t partition, int64_t offset) const;

 private:
  std::shared_ptr<database> db_;
  std::string projection_;
};

}  // namespace ivrcast::storage
