#pragma once

#include <caf/expected.hpp>

namespace rocksdb {
class Status;
}

namespace ivrcast::storage {

/// Translates a RocksDB status: success, or errc::storage_failure / storage_corrupt naming
/// `where`.
[[nodiscard]] caf::expected<void> check(const rocksdb::Status& st, const char* where);

}  // namespace ivrcast::storage
