#include "storage/audit_log.hpp"

#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include "storage/batch_fold.hpp"
#include "storage/database.hpp"
#include "storage/keys.hpp"
#include "storage/status.hpp"
#include "storage/stored_bytes.hpp"

namespace ivrcast::storage {

audit_log::audit_log(std::shared_ptr<database> db)
    : db_(db), checkpoints_(std::move(db), "audit") {}

caf::expected<std::unique_ptr<audit_log>> audit_log::open(std::shared_ptr<database> db) {
  std::unique_ptr<audit_log> out{new audit_log{std::move(db)}};
  if (auto ok = out->index_emails(); !ok)
    return std::move(ok.error());
  return out;
}

caf::expected<void> audit_log::index_emails() {
  auto& db = db_->db();
  std::string marker;
  auto got = db.Get(rocksdb::ReadOptions{}, db_->audit(), keys::audit_email_indexed(), &marker);
  if (got.ok())
    return {};
  if (!got.IsNotFound())
    return check(got, "audit_log.index_emails");
  auto prefix = keys::audit_prefix({});
  std::unique_ptr<rocksdb::Iterator> it{db.NewIterator(rocksdb::ReadOptions{}, db_->audit())};
  rocksdb::WriteBatch wb;
  wire::AuditEvent ev;
  constexpr size_t key_tail = 16;  // <at be64> <offset be64>
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    auto key = it->key();
    if (key.size() != prefix.size() + key_tail || !parse_stored(it->value(), ev) ||
        ev.email().empty())
      continue;
    auto offset = static_cast<int64_t>(keys::get_be64({key.data() + prefix.size() + 8, 8}));
    // ignored: WriteBatch::Put fails only on oversized keys
    (void)wb.Put(db_->audit(), keys::audit_email(ev.email(), ev.at_ms(), offset), it->value());
    if (wb.Count() >= 10000) {
      if (auto ok = check(db.Write(rocksdb::WriteOptions{}, &wb), "audit_log.index_emails"); !ok)
        return ok;
      wb.Clear();
    }
  }
  if (auto ok = check(it->status(), "audit_log.index_emails"); !ok)
    return ok;
  (void)wb.Put(db_->audit(), keys::audit_email_indexed(), "1");
  return check(db.Write(rocksdb::WriteOptions{}, &wb), "audit_log.index_emails");
}

caf::expected<int64_t> audit_log::checkpoint(int32_t partition) const {
  return checkpoints_.load(partition);
}

caf::expected<void> audit_log::apply(int32_t partition, std::span<const topic_record> recs) {
  wire::AuditEvent ev;
  return fold_batch(
      *db_, checkpoints_, partition, recs, "audit_log.apply",
      [&](const topic_record& r, rocksdb::WriteBatch& wb) {
        if (!ev.ParseFromArray(r.value.data(), static_cast<int>(r.value.size())) ||
            ev.event().empty()) {
          ++refused_;
          return caf::expected<void>{};
        }
        rocksdb::Slice value{r.value.data(), r.value.size()};
        // ignored: WriteBatch::Put fails only on oversized keys
        (void)wb.Put(db_->audit(), keys::audit_all(ev.at_ms(), r.offset), value);
        if (!ev.enterprise_id().empty())
          (void)wb.Put(db_->audit(),
                       keys::audit_enterprise(ev.enterprise_id(), ev.at_ms(), r.offset), value);
        if (!ev.email().empty())
          (void)wb.Put(db_->audit(), keys::audit_email(ev.email(), ev.at_ms(), r.offset), value);
        if (ev.event() == address_attempt_event && !ev.ip().empty())
          (void)wb.Put(db_->audit(), keys::audit_address(ev.ip(), ev.at_ms(), r.offset), ev.node());
        return caf::expected<void>{};
      });
}

caf::expected<std::vector<wire::AuditEvent>> audit_log::find(const audit_query& q,
                                                             bool& more) const {
  more = false;
  std::vector<wire::AuditEvent> out;
  auto prefix = q.enterprise.empty() && !q.email.empty() ? keys::audit_email_prefix(q.email)
                                                         : keys::audit_prefix(q.enterprise);
  // Newest first: from the end of the range backwards.
  auto upper = prefix;
  keys::put_be64(upper, static_cast<uint64_t>(q.to_ms));
  auto lower = prefix;
  keys::put_be64(lower, static_cast<uint64_t>(std::max<int64_t>(q.from_ms, 0)));
  rocksdb::ReadOptions ro;
  rocksdb::Slice lower_slice{lower};
  ro.iterate_lower_bound = &lower_slice;
  std::unique_ptr<rocksdb::Iterator> it{db_->db().NewIterator(ro, db_->audit())};
  wire::AuditEvent ev;
  for (it->SeekForPrev(upper); it->Valid(); it->Prev()) {
    if (it->key().compare(rocksdb::Slice{upper}) >= 0)
      continue;  // at to_ms exactly: outside [from, to)
    if (!parse_stored(it->value(), ev))
      continue;
    if (!q.event.empty() && !ev.event().starts_with(q.event))
      continue;
    if (!q.email.empty() && ev.email() != q.email)
      continue;
    if (out.size() == q.limit) {
      more = true;
      break;
    }
    out.push_back(ev);
  }
  if (auto ok = check(it->status(), "audit_log.find"); !ok)
    return std::move(ok.error());
  return out;
}

caf::expected<int> audit_log::attempts_since(std::string_view client_address, int64_t since_ms,
                                             std::string_view node, int cap) const {
  auto prefix = keys::audit_address_prefix(client_address);
  auto lower = prefix;
  keys::put_be64(lower, static_cast<uint64_t>(std::max<int64_t>(since_ms, 0)));
  auto upper = prefix;
  upper.back() = '\1';  // past every key of the address
  rocksdb::ReadOptions ro;
  rocksdb::Slice upper_slice{upper};
  ro.iterate_upper_bound = &upper_slice;
  std::unique_ptr<rocksdb::Iterator> it{db_->db().NewIterator(ro, db_->audit())};
  int n = 0;
  for (it->Seek(lower); it->Valid() && n < cap; it->Next())
    n += it->value() != rocksdb::Slice{node.data(), node.size()};
  if (auto ok = check(it->status(), "audit_log.attempts_since"); !ok)
    return std::move(ok.error());
  return n;
}

}  // namespace ivrcast::storage
