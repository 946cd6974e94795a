#include "storage/offset_checkpoints.hpp"

#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>
#include <rocksdb/write_batch_base.h>

#include "messages/errc.hpp"
#include "storage/database.hpp"
#include "storage/keys.hpp"
#include "storage/status.hpp"

namespace ivrcast::storage {

offset_checkpoints::offset_checkpoints(std::shared_ptr<database> db, std::string projection)
    : db_(std::move(db)), projection_(std::move(projection)) {}

caf::expected<int64_t> offset_checkpoints::load(int32_t partition) const {
  std::string value;
  auto st = db_->db().Get(rocksdb::ReadOptions{}, db_->offsets(),
                          keys::offset(projection_, partition), &value);
  if (st.IsNotFound())
    return int64_t{-1};
  if (auto ok = check(st, "offset_checkpoints.load"); !ok)
    return std::move(ok.error());
  if (value.size() != 8)
    return caf::make_error(errc::storage_corrupt, "offset_checkpoints.load", projection_);
  return static_cast<int64_t>(keys::get_be64(value));
}

void offset_checkpoints::stage(rocksdb::WriteBatchBase& wb, int32_t partition,
                               int64_t offset) const {
  std::string value;
  keys::put_be64(value, static_cast<uint64_t>(offset));
  // ignored: WriteBatch::Put only fails on oversized keys, and ours are tiny
  (void)wb.Put(db_->offsets(), keys::offset(projection_, partition), value);
}

}  // namespace ivrcast::storage
