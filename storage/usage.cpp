#include "storage/usage.hpp"

#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include <map>
#include <tuple>
#include <unordered_set>

#include "storage/batch_fold.hpp"
#include "storage/database.hpp"
#include "storage/keys.hpp"
#include "storage/status.hpp"

namespace ivrcast::storage {
namespace {

std::string be64(uint64_t v) {
  std::string out;
  keys::put_be64(out, v);
  return out;
}

}  // namespace

usage::usage(std::shared_ptr<database> db) : db_(db), checkpoints_(std::move(db), "usage") {}

caf::expected<int64_t> usage::checkpoint(int32_t partition) const {
  return checkpoints_.load(partition);
}

caf::expected<void> usage::apply(int32_t partition, std::span<const topic_record> recs) {
  wire::SendRecord rec;
  std::unordered_set<std::string_view> billed_here;  // marks of this batch, not yet written
  // The batch's increments summed per account, month and carrier: each counter gets one merge
  // a batch, not one a message (fewer memtable entries, fewer operands for a read to fold).
  std::map<std::tuple<std::string, uint32_t, sms::carrier>, batch_sum> sums;
  std::string ignored;
  return fold_batch(
      *db_, checkpoints_, partition, recs, "usage.apply",
      [&](const topic_record& r, rocksdb::WriteBatch& wb) -> caf::expected<void> {
        if (!rec.ParseFromArray(r.value.data(), static_cast<int>(r.value.size())) ||
            rec.message_id().empty())
          return {};
        auto inc = sms::billable(rec);
        if (!inc || billed_here.contains(r.key))
          return {};
        // A message bills once: its first record with parts at the carrier leaves a mark.
        auto mark = keys::usage_billed(rec.message_id());
        auto st = db_->db().Get(rocksdb::ReadOptions{}, db_->usage(), mark, &ignored);
        if (st.ok())
          return {};
        if (!st.IsNotFound())
          return check(st, "usage.apply");
        auto& sum = sums[{std::move(inc->account), inc->month, inc->via}];
        sum.messages += 1;
        sum.segments += inc->segments;
        sum.parts += inc->parts;
        (void)wb.Put(db_->usage(), mark, "");  // ignored: tiny keys
        billed_here.insert(r.key);
        return {};
      },
      [&](rocksdb::WriteBatch& wb) {
        for (const auto& [key, sum] : sums) {
          const auto& [account, month, via] = key;
          stage(wb, account, month, via, sum);
        }
      });
}

void usage::stage(rocksdb::WriteBatch& wb, std::string_view account, uint32_t month,
                  sms::carrier via, const batch_sum& sum) const {
  auto c = static_cast<uint8_t>(via);
  // ignored: WriteBatch::Merge fails only on oversized keys
  (void)wb.Merge(db_->usage(), keys::usage(account, month, c, 'm'), be64(sum.messages));
  (void)wb.Merge(db_->usage(), keys::usage(account, month, c, 's'), be64(sum.segments));
  (void)wb.Merge(db_->usage(), keys::usage(account, month, c, 'p'), be64(sum.parts));
}

caf::expected<std::vector<usage_row>> usage::of_account(std::string_view account, uint32_t from,
                                                        uint32_t to) const {
  return scan(keys::usage_account(account), from, to);
}

caf::expected<std::vector<usage_row>> usage::all(uint32_t from, uint32_t to) const {
  return scan({}, from, to);
}

caf::expected<std::vector<usage_row>> usage::scan(std::string_view prefix, uint32_t from,
                                                  uint32_t to) const {
  std::vector<usage_row> out;
  std::unique_ptr<rocksdb::Iterator> it{
      db_->db().NewIterator(rocksdb::ReadOptions{}, db_->usage())};
  for (it->Seek(rocksdb::Slice{prefix.data(), prefix.size()}); it->Valid(); it->Next()) {
    std::string_view key{it->key().data(), it->key().size()};
    if (!key.starts_with(prefix))
      break;
    auto k = keys::parse_usage(key);
    if (!k || k->month < from || k->month > to || it->value().size() != 8 ||
        k->carrier >= sms::all_carriers.size())
      continue;
    auto via = static_cast<sms::carrier>(k->carrier);
    if (out.empty() || out.back().account != k->account || out.back().month != k->month ||
        out.back().via != via)
      out.push_back({std::string{k->account}, k->month, via});
    auto v = keys::get_be64({it->value().data(), 8});
    auto& row = out.back();
    (k->field == 'm' ? row.messages : k->field == 's' ? row.segments : row.parts) = v;
  }
  if (auto ok = check(it->status(), "usage.scan"); !ok)
    return std::move(ok.error());
  return out;
}

}  // namespace ivrcast::storage
