#include "storage/status.hpp"

#include <rocksdb/status.h>

#include "messages/errc.hpp"

namespace ivrcast::storage {

caf::expected<void> check(const rocksdb::Status& st, const char* where) {
  if (st.ok())
    return {};
  auto code = st.IsCorruption() ? errc::storage_corrupt : errc::storage_failure;
  return caf::make_error(code, where, st.ToString());
}

}  // namespace ivrcast::storage
