#include "storage/sends.hpp"

#include <algorithm>
#include <map>

#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include "messages/errc.hpp"
#include "storage/batch_fold.hpp"
#include "storage/database.hpp"
#include "storage/keys.hpp"
#include "storage/status.hpp"

namespace ivrcast::storage {

sends::sends(std::shared_ptr<database> db) : db_(db), checkpoints_(std::move(db), "sends") {
  for (auto& a : applied_)
    a = -2;  // unknown: read the checkpoint on first use
}

caf::expected<int64_t> sends::checkpoint(int32_t partition) const {
  return checkpoints_.load(partition);
}

int64_t sends::applied(int32_t partition) const {
  if (partition < 0 || static_cast<size_t>(partition) >= max_partitions)
    return -1;
  auto v = applied_[static_cast<size_t>(partition)].load();
  if (v != -2)
    return v;
  auto cp = checkpoints_.load(partition);
  return cp ? *cp : -1;
}

caf::expected<void> sends::apply(int32_t partition, std::span<const topic_record> recs) {
  wire::SendRecord rec;
  // A message's records share one partition, in the order written, and each replaces the one
  // before: of a batch, only each message's last record is written (its in-flight and submitted
  // records often come in one batch, and each write is a memtable insert), in key order (each
  // insert then starts next to the one before in the memtable's skip list).
  std::map<std::string, std::string_view> last;
  auto folded = fold_batch(
      *db_, checkpoints_, partition, recs, "sends.apply",
      [&](const topic_record& r, rocksdb::WriteBatch&) {
        if (!rec.ParseFromArray(r.value.data(), static_cast<int>(r.value.size())) ||
            rec.message_id().empty()) {
          ++refused_;
          return caf::expected<void>{};
        }
        last[rec.message_id()] = r.value;
        return caf::expected<void>{};
      },
      [&](rocksdb::WriteBatch& wb) {
        for (const auto& [message_id, value] : last)
          (void)wb.Put(db_->sends(), keys::send(message_id),
                       rocksdb::Slice{value.data(), value.size()});  // ignored: tiny keys
      });
  if (folded && !recs.empty() && static_cast<size_t>(partition) < max_partitions) {
    auto& applied = applied_[static_cast<size_t>(partition)];  // only this thread writes it
    applied.store(std::max(applied.load(), recs.back().offset));
  }
  return folded;
}

caf::expected<std::optional<wire::SendRecord>> sends::find(std::string_view message_id) const {
  std::string value;
  auto st = db_->db().Get(rocksdb::ReadOptions{}, db_->sends(), keys::send(message_id), &value);
  if (st.IsNotFound())
    return std::optional<wire::SendRecord>{};
  if (auto ok = check(st, "sends.find"); !ok)
    return std::move(ok.error());
  wire::SendRecord rec;
  if (!rec.ParseFromString(value))
    return caf::make_error(errc::storage_corrupt, "sends.find", std::string{message_id});
  return std::optional<wire::SendRecord>{std::move(rec)};
}

}  // namespace ivrcast::storage
