#pragma once

#include <memory>
#include <string>
#include <vector>

#include <caf/expected.hpp>

namespace rocksdb {
class DB;
class ColumnFamilyHandle;
}  // namespace rocksdb

namespace ivrcast::storage {

/// The node's RocksDB database: one column family per projection plus `offsets`. Thread-safe
/// as RocksDB is; each projection partition has one writer.
class database {
 public:
  /// Opens or creates the database in `dir` (created if missing).
  [[nodiscard]] static caf::expected<std::shared_ptr<database>> open(const std::string& dir);

  /// Opens an existing database for reading only (a tool beside a stopped or running node).
  [[nodiscard]] static caf::expected<std::shared_ptr<database>> open_read_only(
      const std::string& dir);

  ~database();
  database(const database&) = delete;
  database& operator=(const database&) = delete;

  rocksdb::DB& db() { return *db_; }
  rocksdb::ColumnFamilyHandle* offsets() { return handles_[1]; }
  rocksdb::ColumnFamilyHandle* call_counts() { return handles_[2]; }
  rocksdb::ColumnFamilyHandle* sends() { return handles_[3]; }
  rocksdb::ColumnFamilyHandle* delivery_log() { return handles_[4]; }
  rocksdb::ColumnFamilyHandle* control() { return handles_[5]; }
  rocksdb::ColumnFamilyHandle* call_starts() { return handles_[6]; }
  rocksdb::ColumnFamilyHandle* usage() { return handles_[7]; }
  rocksdb::ColumnFamilyHandle* audit() { return handles_[8]; }
  const std::string& dir() const { return dir_; }

 private:
  database() = default;
  static caf::expected<std::shared_ptr<database>> open_impl(const std::string& dir, bool read_only);
  std::string dir_;
  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*>
      handles_;  // default, offsets, call_counts, sends, delivery_log, control, call_starts
};

}  // namespace ivrcast::storage
