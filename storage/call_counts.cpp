#include "storage/call_counts.hpp"

#include <chrono>
#include <unordered_set>

#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include "messages/errc.hpp"
#include "storage/database.hpp"
#include "storage/keys.hpp"
#include "storage/status.hpp"

namespace ivrcast::storage {
namespace {

/// call_starts value: <partition BE32> <offset BE64> <started ms BE64>.
constexpr size_t start_size = 20;

void put_start(std::string& out, int32_t partition, int64_t offset, int64_t started_ms) {
  out.clear();
  keys::put_be32(out, static_cast<uint32_t>(partition));
  keys::put_be64(out, static_cast<uint64_t>(offset));
  keys::put_be64(out, static_cast<uint64_t>(started_ms));
}

messages::event_position start_position(std::string_view v) {
  return {static_cast<int32_t>(keys::get_be32(v)),
          static_cast<int64_t>(keys::get_be64(v.substr(4)))};
}

int64_t start_ms(std::string_view v) {
  return static_cast<int64_t>(keys::get_be64(v.substr(12)));
}

}  // namespace

call_counts::call_counts(std::shared_ptr<database> db, owner_fn owner_of)
    : db_(db), checkpoints_(std::move(db), "call_counts"), owner_of_(std::move(owner_of)) {
  if (!owner_of_)
    owner_of_ = [](std::string_view) { return std::string{}; };
}

caf::expected<void> call_counts::apply(const messages::call_event_batch& b) {
  auto stored = checkpoints_.load(b.partition.value);
  if (!stored)
    return std::move(stored.error());
  if (b.last_offset <= *stored)
    return {};  // the whole batch was folded in before
  rocksdb::WriteBatch wb;
  std::unordered_set<std::string_view> batch_starts;  // a repeat within this batch
  // One merge per count key and batch: most of a batch's calls are to a few numbers on one day.
  std::map<std::string, uint64_t> added;
  // First starts written in key order: each memtable insert starts next to the one before.
  std::map<std::string, std::string> starts;
  std::string start;
  for (const auto& ev : b.events) {
    if (ev.offset <= *stored || ev.kind != messages::call_event_kind::started)
      continue;
    if (!batch_starts.insert(ev.call.value).second)
      continue;
    auto known = first_start(ev.call.value);
    if (!known)
      return std::move(known.error());
    if (*known)
      continue;  // the gateway repeated the start of a call counted before
    put_start(start, b.partition.value, ev.offset, ev.occurred_at_ms);
    starts.emplace(keys::call_start(ev.call.value), start);
    ++added[keys::call_count(owner_of_(ev.called), ev.called, jst_day(ev.occurred_at_ms))];
  }
  // ignored: WriteBatch::Put and Merge only fail on oversized keys
  for (const auto& [key, value] : starts)
    (void)wb.Put(db_->call_starts(), key, value);
  std::string n;
  for (const auto& [key, count] : added) {
    n.clear();
    keys::put_be64(n, count);
    (void)wb.Merge(db_->call_counts(), key, n);
  }
  checkpoints_.stage(wb, b.partition.value, b.last_offset);
  // Rows and offset land together: a crash replays the batch, never half of it.
  return check(db_->db().Write(rocksdb::WriteOptions{}, &wb), "call_counts.apply");
}

caf::expected<std::optional<messages::event_position>> call_counts::first_start(
    std::string_view call) const {
  std::string value;
  auto st =
      db_->db().Get(rocksdb::ReadOptions{}, db_->call_starts(), keys::call_start(call), &value);
  if (st.IsNotFound())
    return std::optional<messages::event_position>{};
  if (auto ok = check(st, "call_counts.first_start"); !ok)
    return std::move(ok.error());
  if (value.size() != start_size)
    return caf::make_error(errc::storage_corrupt, "call_counts.first_start", "value size");
  return std::optional<messages::event_position>{start_position(value)};
}

caf::expected<size_t> call_counts::forget_starts_before(int64_t before_ms) {
  rocksdb::WriteBatch wb;
  size_t n = 0;
  std::unique_ptr<rocksdb::Iterator> it{
      db_->db().NewIterator(rocksdb::ReadOptions{}, db_->call_starts())};
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    auto v = it->value();
    if (v.size() == start_size && start_ms({v.data(), v.size()}) < before_ms) {
      (void)wb.Delete(db_->call_starts(), it->key());  // ignored: fails only on oversized keys
      ++n;
    }
  }
  if (auto ok = check(it->status(), "call_counts.forget_starts_before"); !ok)
    return std::move(ok.error());
  if (auto ok = check(db_->db().Write(rocksdb::WriteOptions{}, &wb), "call_counts.forget"); !ok)
    return std::move(ok.error());
  return n;
}

caf::expected<uint64_t> call_counts::get(std::string_view account, std::string_view number,
                                         uint32_t yyyymmdd) const {
  std::string value;
  auto st = db_->db().Get(rocksdb::ReadOptions{}, db_->call_counts(),
                          keys::call_count(account, number, yyyymmdd), &value);
  if (st.IsNotFound())
    return uint64_t{0};
  if (auto ok = check(st, "call_counts.get"); !ok)
    return std::move(ok.error());
  if (value.size() != 8)
    return caf::make_error(errc::storage_corrupt, "call_counts.get", "value size");
  return keys::get_be64(value);
}

caf::expected<std::map<uint32_t, uint64_t>> call_counts::days(std::string_view account,
                                                              std::string_view number,
                                                              uint32_t from, uint32_t to) const {
  std::map<uint32_t, uint64_t> out;
  auto lower = keys::call_count(account, number, from);
  auto upper = keys::call_count(account, number, to + 1);
  rocksdb::ReadOptions ro;
  rocksdb::Slice upper_slice{upper};
  ro.iterate_upper_bound = &upper_slice;
  std::unique_ptr<rocksdb::Iterator> it{db_->db().NewIterator(ro, db_->call_counts())};
  for (it->Seek(lower); it->Valid(); it->Next()) {
    auto key = it->key();
    if (it->value().size() == 8)
      out[keys::get_be32({key.data() + key.size() - 4, 4})] =
          keys::get_be64({it->value().data(), 8});
  }
  if (auto ok = check(it->status(), "call_counts.days"); !ok)
    return std::move(ok.error());
  return out;
}

caf::expected<std::map<std::string, uint64_t>> call_counts::totals(
    std::optional<uint32_t> on_day) const {
  std::map<std::string, uint64_t> out;
  std::unique_ptr<rocksdb::Iterator> it{
      db_->db().NewIterator(rocksdb::ReadOptions{}, db_->call_counts())};
  std::string account, number;
  uint32_t day = 0;
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    auto key = it->key();
    if (!keys::parse_call_count({key.data(), key.size()}, account, number, day) ||
        it->value().size() != 8)
      continue;
    auto& total = out[number];
    if (!on_day || *on_day == day)
      total += keys::get_be64({it->value().data(), 8});
  }
  if (auto ok = check(it->status(), "call_counts.totals"); !ok)
    return std::move(ok.error());
  return out;
}

caf::expected<size_t> call_counts::move_to_accounts() {
  // The old keys begin with the number's leading '0'; the new ones with 'a'.
  std::string upper{"a"};
  rocksdb::ReadOptions ro;
  rocksdb::Slice upper_slice{upper};
  ro.iterate_upper_bound = &upper_slice;
  std::unique_ptr<rocksdb::Iterator> it{db_->db().NewIterator(ro, db_->call_counts())};
  rocksdb::WriteBatch wb;
  size_t n = 0;
  std::string number;
  uint32_t day = 0;
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    auto key = it->key();
    if (!keys::parse_legacy_call_count({key.data(), key.size()}, number, day) ||
        it->value().size() != 8)
      continue;
    // ignored (both): WriteBatch::Merge and Delete only fail on oversized keys
    (void)wb.Merge(db_->call_counts(), keys::call_count(owner_of_(number), number, day),
                   it->value());
    (void)wb.Delete(db_->call_counts(), key);
    ++n;
  }
  if (auto ok = check(it->status(), "call_counts.move_to_accounts"); !ok)
    return std::move(ok.error());
  if (auto ok = check(db_->db().Write(rocksdb::WriteOptions{}, &wb), "call_counts.move"); !ok)
    return std::move(ok.error());
  return n;
}

}  // namespace ivrcast::storage
