#include "storage/database.hpp"

#include <filesystem>

#include <rocksdb/cache.h>
#include <rocksdb/db.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/merge_operator.h>
#include <rocksdb/options.h>
#include <rocksdb/slice_transform.h>
#include <rocksdb/table.h>

#include "messages/errc.hpp"
#include "storage/keys.hpp"
#include "storage/status.hpp"

namespace ivrcast::storage {
namespace {

/// Adds big-endian uint64 operands: a count goes up with a merge and no read.
class uint64_add final : public rocksdb::AssociativeMergeOperator {
 public:
  bool Merge(const rocksdb::Slice&, const rocksdb::Slice* existing, const rocksdb::Slice& value,
             std::string* new_value, rocksdb::Logger*) const override {
    uint64_t sum = 0;
    if (existing) {
      if (existing->size() != 8)
        return false;  // corrupt: RocksDB reports it
      sum = keys::get_be64({existing->data(), existing->size()});
    }
    if (value.size() != 8)
      return false;
    sum += keys::get_be64({value.data(), value.size()});
    new_value->clear();
    keys::put_be64(*new_value, sum);
    return true;
  }
  const char* Name() const override { return "ivrcast.uint64_add"; }
};

/// The delivery log's tenant prefixes (keys::log_tenant_prefix) for its prefix Bloom filters.
class log_tenant_prefix final : public rocksdb::SliceTransform {
 public:
  const char* Name() const override { return "ivrcast.log_tenant_prefix.1"; }
  rocksdb::Slice Transform(const rocksdb::Slice& key) const override {
    auto n = keys::log_tenant_prefix({key.data(), key.size()});
    return {key.data(), n ? *n : key.size()};  // only called on keys InDomain says are
  }
  bool InDomain(const rocksdb::Slice& key) const override {
    return keys::log_tenant_prefix({key.data(), key.size()}).has_value();
  }
};

/// Column-family options whose table files (10 bits a key) and memtables carry a Bloom filter,
/// with a block cache of their own if `cache` is set (else the table factory makes a default one).
rocksdb::ColumnFamilyOptions with_bloom_filters(std::shared_ptr<rocksdb::Cache> cache) {
  rocksdb::BlockBasedTableOptions table;
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  table.optimize_filters_for_memory = true;
  if (cache)
    table.block_cache = std::move(cache);
  rocksdb::ColumnFamilyOptions out;
  out.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  // The same for the memtable: most lookups there miss too (a new job, a new message's id),
  // and a miss in a large memtable walks its skip list.
  out.memtable_prefix_bloom_size_ratio = 0.02;
  out.memtable_whole_key_filtering = true;
  return out;
}

}  // namespace

caf::expected<std::shared_ptr<database>> database::open(const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec)
    return caf::make_error(errc::storage_failure, "database.open", dir + ": " + ec.message());
  return open_impl(dir, false);
}

caf::expected<std::shared_ptr<database>> database::open_read_only(const std::string& dir) {
  return open_impl(dir, true);
}

caf::expected<std::shared_ptr<database>> database::open_impl(const std::string& dir,
                                                             bool read_only) {
  rocksdb::Options options;
  options.create_if_missing = true;
  options.create_missing_column_families = true;
  rocksdb::ColumnFamilyOptions counts;
  counts.merge_operator = std::make_shared<uint64_add>();
  // The delivery log is read by point lookups (a row per index entry, receipts by SMSC id): a
  // Bloom filter per file lets a lookup skip the levels that do not hold its key, and a block
  // cache of its own keeps a tenant's recent rows from being evicted by another's export.
  auto log = with_bloom_filters(rocksdb::NewLRUCache(size_t{64} << 20));
  // A tenant's search seeks once per level, and in a platform's log most levels hold nothing of
  // that tenant or number: the filters also hold each key's tenant prefix, so the seek skips
  // those files. Only searches that stay within one prefix use it (prefix_same_as_start);
  // every other iterator of the log starts at a key outside the prefix domain.
  log.prefix_extractor = std::make_shared<log_tenant_prefix>();
  // Every call's start and every SMS job are looked up by key, most often to learn that they
  // are new (absent): without a filter that miss reads a block of every level, a cost that grows
  // with the data; the filter answers most misses from memory.
  auto lookups = with_bloom_filters(nullptr);
  std::vector<rocksdb::ColumnFamilyDescriptor> cfs{
      {rocksdb::kDefaultColumnFamilyName, rocksdb::ColumnFamilyOptions{}},
      {"offsets", rocksdb::ColumnFamilyOptions{}},
      {"call_counts", counts},
      {"sends", lookups},
      {"delivery_log", log},
      {"control", rocksdb::ColumnFamilyOptions{}},
      {"call_starts", lookups},
      {"usage", counts},
      {"audit", rocksdb::ColumnFamilyOptions{}},
  };
  std::shared_ptr<database> out{new database};
  out->dir_ = dir;
  rocksdb::DB* raw = nullptr;
  auto st = read_only ? rocksdb::DB::OpenForReadOnly(options, dir, cfs, &out->handles_, &raw)
                      : rocksdb::DB::Open(options, dir, cfs, &out->handles_, &raw);
  if (auto ok = check(st, "database.open"); !ok)
    return std::move(ok.error());
  out->db_.reset(raw);
  return out;
}

database::~database() {
  for (auto* h : handles_)
    if (db_)
      db_->DestroyColumnFamilyHandle(h);  // ignored: status on close has no one to tell
  if (db_)
    db_->Close();  // ignored: nothing left to do on failure
}

}  // namespace ivrcast::storage
