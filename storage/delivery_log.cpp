#include "storage/delivery_log.hpp"

#include <algorithm>
#include <array>
#include <unordered_map>

#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include "messages/errc.hpp"
#include "sms/delivery_status.hpp"
#include "storage/database.hpp"
#include "storage/keys.hpp"
#include "storage/status.hpp"
#include "storage/stored_bytes.hpp"

namespace ivrcast::storage {
namespace {

using sms::delivery_status;

/// parse_stored for a scan's one reused row. A parse clears the row first, and LogRow::Clear
/// deletes its detail: every row scanned would allocate a LogDetail and each of its strings
/// again. Its detail is cleared in place instead, which keeps them.
bool parse_row_reusing(const rocksdb::Slice& bytes, wire::LogRow& row) {
  auto* detail = row.release_detail();
  row.Clear();
  if (detail != nullptr) {
    detail->Clear();
    row.set_allocated_detail(detail);
  }
  return merge_stored(bytes, row);
}

delivery_status status_of(int32_t v) {
  return sms::status_from(static_cast<uint32_t>(v)).value_or(delivery_status::preparing);
}

/// Statuses only move forward; a final status never changes.
delivery_status advance(delivery_status old_status, delivery_status next) {
  if (sms::is_final(old_status))
    return old_status;
  return sms::rank(next) >= sms::rank(old_status) ? next : old_status;
}

/// One apply's writes, and reads that see those of them written with put_seen/del_seen. Only a
/// submit's SMSC ids and parked receipts are read back within an apply (rows and their id
/// entries go through apply's row cache), so the batch keeps no index of everything it holds:
/// indexing every key was a quarter of a fold. A key read back must be written with the _seen
/// forms, or the read sees the database's value.
class batch_view {
 public:
  explicit batch_view(database& db) : db_(&db) {}

  caf::expected<std::optional<std::string>> get(const std::string& key) {
    if (auto it = seen_.find(key); it != seen_.end())
      return it->second;
    std::string v;
    auto st = db_->db().Get(rocksdb::ReadOptions{}, db_->delivery_log(), key, &v);
    if (st.IsNotFound())
      return std::optional<std::string>{};
    if (auto ok = check(st, "delivery_log.get"); !ok)
      return std::move(ok.error());
    return std::optional<std::string>{std::move(v)};
  }
  void put(std::string k, std::string v) { ops_.push_back({std::move(k), std::move(v)}); }
  void del(std::string k) { ops_.push_back({std::move(k), std::nullopt}); }
  void put_seen(const std::string& k, const std::string& v) {
    put(k, v);
    seen_[k] = v;
  }
  void del_seen(const std::string& k) {
    del(k);
    seen_[k] = std::nullopt;
  }
  rocksdb::WriteBatch& batch() { return wb_; }
  /// Writes the batch's log keys in key order (a key written twice keeps its order): the
  /// memtable inserts each key next to the one before instead of searching its skip list from
  /// the top, which was most of the fold's time.
  rocksdb::Status write() {
    std::stable_sort(ops_.begin(), ops_.end(),
                     [](const op& a, const op& b) { return a.key < b.key; });
    for (const auto& o : ops_)
      // ignored: only oversized keys fail
      (void)(o.value ? wb_.Put(db_->delivery_log(), o.key, *o.value)
                     : wb_.Delete(db_->delivery_log(), o.key));
    return db_->db().Write(rocksdb::WriteOptions{}, &wb_);
  }

 private:
  struct op {
    std::string key;
    std::optional<std::string> value;  // none: delete
  };
  database* db_;
  rocksdb::WriteBatch wb_;
  std::vector<op> ops_;
  std::unordered_map<std::string, std::optional<std::string>> seen_;
};

/// The account-index entries of a row (none for a row without an account): by destination and
/// time, and by incoming number and time. The row's copy under its account is put_row's.
std::vector<std::string> account_entries(const wire::LogDetail& d, std::string_view message_id) {
  if (d.account_id().empty())
    return {};
  return {keys::log_by_account_destination(d.account_id(), d.destination(), d.requested_at_ms(),
                                           message_id),
          keys::log_by_account_incoming(d.account_id(), d.incoming_number(), d.requested_at_ms(),
                                        message_id)};
}

/// The key of a row's copy among its account's rows; empty for a row without an account.
std::string account_copy_key(const wire::LogRow& row) {
  const auto& d = row.detail();
  if (d.account_id().empty())
    return {};
  return keys::log_by_account(d.account_id(), d.requested_at_ms(), row.message_id());
}

/// Writes a row under `key` and its copy among its account's rows: every write of a row goes
/// through here, so the two never differ. `bytes` is scratch space.
void put_row(batch_view& v, const std::string& key, const wire::LogRow& row, std::string& bytes) {
  row.SerializeToString(&bytes);
  v.put(key, bytes);
  if (auto copy = account_copy_key(row); !copy.empty())
    v.put(std::move(copy), bytes);
}

/// Loads a row by message id; nullopt if absent.
caf::expected<std::optional<std::pair<std::string, wire::LogRow>>> load_row(
    batch_view& v, const std::string& message_id) {
  auto key = v.get(keys::log_id(message_id));
  if (!key)
    return std::move(key.error());
  if (!*key)
    return std::optional<std::pair<std::string, wire::LogRow>>{};
  auto value = v.get(**key);
  if (!value)
    return std::move(value.error());
  if (!*value)
    return caf::make_error(errc::storage_corrupt, "delivery_log",
                           "index without row " + message_id);
  wire::LogRow row;
  if (!row.ParseFromString(**value))
    return caf::make_error(errc::storage_corrupt, "delivery_log", "row " + message_id);
  return std::optional<std::pair<std::string, wire::LogRow>>{{std::move(**key), std::move(row)}};
}

}  // namespace

delivery_log::delivery_log(std::shared_ptr<database> db, std::vector<std::string> retry_errors)
    : db_(db),
      checkpoints_(std::move(db), "delivery_log"),
      retry_errors_(std::move(retry_errors)) {}

caf::expected<int64_t> delivery_log::checkpoint(int32_t partition) const {
  return checkpoints_.load(partition);
}

sms::log_row delivery_log::to_row(const wire::LogRow& r) {
  sms::log_row out;
  fill_row(r, out);
  return out;
}

void delivery_log::fill_row(const wire::LogRow& r, sms::log_row& out) {
  const auto& d = r.detail();
  out.job_id = d.job_id();
  out.message_id = r.message_id();
  out.account_id = d.account_id();
  out.requested_at_ms = d.requested_at_ms();
  out.sent_at_ms = r.sent_at_ms();
  out.destination = d.destination();
  out.via =
      d.carrier() > 0 ? std::optional{static_cast<sms::carrier>(d.carrier() - 1)} : std::nullopt;
  out.flow_version_id = d.flow_version_id();
  out.flow_name = d.flow_name();
  out.body = d.body();
  out.incoming_number = d.incoming_number();
  out.sender_id = d.sender_id();
  out.status = status_of(r.status());
  out.arrived_at_ms = r.arrived_at_ms();
  out.sent_length = d.sent_length();
  out.segments = d.segments();
  out.parts = d.parts();
  out.opened_at_ms = r.opened_at_ms();
}

caf::expected<void> delivery_log::apply(std::span<const status_batch> batches) {
  std::lock_guard<std::mutex> guard{write_mtx_};
  // Per batch: its partition's checkpoint, or none if the whole batch was folded in before.
  std::vector<std::optional<int64_t>> stored(batches.size());
  bool any = false;
  for (size_t i = 0; i < batches.size(); ++i) {
    auto cp = checkpoints_.load(batches[i].partition);
    if (!cp)
      return std::move(cp.error());
    if (batches[i].last_offset > *cp) {
      stored[i] = *cp;
      any = true;
    }
  }
  if (!any)
    return {};
  batch_view v{*db_};
  uint64_t receipts_matched = 0;  // receipts of this batch, counted once it is written
  uint64_t receipts_parked = 0;
  uint64_t receipts_unparked = 0;
  std::vector<delivery_status> parts;

  // The rows this batch touches, by message id: a message's events mostly come close together
  // (accepted, submitted, its receipts), so each row is read once and written once per batch
  // instead of once per event, which was most of the log's memtable work.
  struct touched {
    std::string key;
    wire::LogRow row;
    bool dirty = false;
  };
  std::unordered_map<std::string, touched> rows;
  auto row_of = [&](const std::string& message_id) -> caf::expected<touched*> {
    if (auto it = rows.find(message_id); it != rows.end())
      return &it->second;
    auto got = load_row(v, message_id);
    if (!got)
      return std::move(got.error());
    if (!*got)
      return nullptr;
    auto& t = rows[message_id];
    t.key = std::move((*got)->first);
    t.row = std::move((*got)->second);
    return &t;
  };

  // Row of a detail-carrying event, created on first sight.
  auto ensure = [&](const wire::StatusEvent& ev) -> caf::expected<touched*> {
    auto got = row_of(ev.message_id());
    if (!got || *got || !ev.has_detail())
      return got;
    auto& t = rows[ev.message_id()];
    t.row.set_message_id(ev.message_id());
    *t.row.mutable_detail() = ev.detail();
    t.row.set_status(static_cast<int32_t>(delivery_status::preparing));
    const auto& d = ev.detail();
    t.key = keys::log_row(d.requested_at_ms(), ev.message_id());
    v.put(keys::log_id(ev.message_id()), t.key);
    v.put(keys::log_by_destination(d.destination(), d.requested_at_ms(), ev.message_id()), "");
    for (auto& k : account_entries(d, ev.message_id()))
      v.put(std::move(k), "");
    for (const auto& link : d.links())
      v.put(keys::log_short_link(link.code()), ev.message_id() + '\0' + link.url());
    return &t;
  };

  std::string bytes;

  // Moves the row's status forward; a row that becomes final leaves the 不定 watch list.
  auto move_status = [&](wire::LogRow& row, delivery_status next) {
    auto before = status_of(row.status());
    auto now = advance(before, next);
    row.set_status(static_cast<int32_t>(now));
    if (sms::is_final(now) && !sms::is_final(before) && row.sent_at_ms() > 0)
      v.del(keys::log_undetermined(row.sent_at_ms(), row.message_id()));
  };

  // One part's receipt onto its row.
  auto apply_receipt = [&](wire::LogRow& row, int part, const wire::StatusEvent& ev) {
    auto c = static_cast<sms::carrier>(ev.carrier() - 1);
    auto st = sms::state_from_tlv(static_cast<uint8_t>(ev.receipt_state()));
    if (!st || part < 0 || part >= row.part_status_size())
      return;
    auto next = sms::part_status(c, *st, ev.err(), retry_errors_);
    row.set_part_status(part,
                        static_cast<int32_t>(advance(status_of(row.part_status(part)), next)));
    parts.clear();
    for (auto p : row.part_status())
      parts.push_back(status_of(p));
    // done date may be minute-precise: never earlier than the send itself.
    auto done =
        ev.done_at_ms() >= row.sent_at_ms() && ev.done_at_ms() > 0 ? ev.done_at_ms() : ev.at_ms();
    if (next == delivery_status::delivered)
      row.set_arrived_at_ms(std::max(row.arrived_at_ms(), done));
    move_status(row, sms::combine(parts));
  };

  // The submit of every part: index its SMSC ids and apply receipts that came first.
  auto submitted = [&](wire::LogRow& row, const wire::StatusEvent& ev) -> caf::expected<void> {
    if (row.smsc_ids_size() > 0)
      return {};  // a replayed or re-sent submit record
    auto c = static_cast<uint8_t>(row.detail().carrier());
    row.set_sent_at_ms(ev.at_ms());
    move_status(row, delivery_status::sent);
    for (int i = 0; i < ev.smsc_ids_size(); ++i) {
      row.add_smsc_ids(ev.smsc_ids(i));
      row.add_part_status(static_cast<int32_t>(delivery_status::sent));
      v.put_seen(keys::log_smsc(c, ev.smsc_ids(i)), ev.message_id() + '\0' + std::to_string(i));
    }
    if (row.detail().carrier() == static_cast<int32_t>(sms::carrier::docomo) + 1)
      v.put(keys::log_undetermined(ev.at_ms(), ev.message_id()), "");
    for (int i = 0; i < ev.smsc_ids_size(); ++i) {
      auto parked_key = keys::log_parked(c, ev.smsc_ids(i));
      auto parked = v.get(parked_key);
      if (!parked)
        return std::move(parked.error());
      if (!*parked)
        continue;
      wire::StatusEvent rc;
      if (rc.ParseFromString(**parked)) {
        apply_receipt(row, i, rc);
        v.del(keys::log_parked_by_handset(c, rc.handset(), rc.at_ms(), rc.smsc_id()));
        ++receipts_unparked;
      }
      v.del_seen(parked_key);
    }
    return {};
  };

  // A receipt: onto its row if its submit is known, else parked until it is.
  auto receipt = [&](const wire::StatusEvent& ev) -> caf::expected<void> {
    auto c = static_cast<uint8_t>(ev.carrier());
    auto match = v.get(keys::log_smsc(c, ev.smsc_id()));
    if (!match)
      return std::move(match.error());
    if (!*match) {
      // One parked receipt per id: an intermediate one (ENROUTE) never replaces a final one,
      // which a resend after a reconnect may deliver first.
      auto parked_key = keys::log_parked(c, ev.smsc_id());
      auto parked = v.get(parked_key);
      if (!parked)
        return std::move(parked.error());
      wire::StatusEvent old;
      if (*parked && old.ParseFromString(**parked)) {
        auto is_final_state = [](int32_t st) {
          auto s = sms::state_from_tlv(static_cast<uint8_t>(st));
          return s && *s != sms::receipt_state::enroute && *s != sms::receipt_state::accepted;
        };
        if (is_final_state(old.receipt_state()) && !is_final_state(ev.receipt_state()))
          return {};
        v.del(keys::log_parked_by_handset(c, old.handset(), old.at_ms(), old.smsc_id()));
      }
      ev.SerializeToString(&bytes);
      v.put_seen(parked_key, bytes);
      v.put(keys::log_parked_by_handset(c, ev.handset(), ev.at_ms(), ev.smsc_id()), "");
      ++receipts_parked;
      return {};
    }
    ++receipts_matched;
    auto nul = (*match)->find('\0');
    auto t = row_of((*match)->substr(0, nul));
    if (!t)
      return std::move(t.error());
    if (*t) {
      apply_receipt((*t)->row, std::atoi((*match)->c_str() + nul + 1), ev);
      (*t)->dirty = true;
    }
    return {};
  };

  // Everything but receipts first, in each partition's order; then the receipts, in theirs.
  auto fold = [&](const wire::StatusEvent& ev) -> caf::expected<void> {
    auto t = ensure(ev);
    if (!t)
      return std::move(t.error());
    if (!*t)
      return {};
    auto& row = (*t)->row;
    if (ev.kind() == wire::StatusEvent::OPENED) {
      if (row.opened_at_ms() != 0)
        return {};  // only the first open counts
      row.set_opened_at_ms(ev.at_ms());
    } else if (ev.kind() == wire::StatusEvent::FINAL) {
      move_status(row, status_of(ev.status()));
    } else if (ev.kind() == wire::StatusEvent::SUBMITTED) {
      if (auto ok = submitted(row, ev); !ok)
        return ok;
    }
    (*t)->dirty = true;
    return {};
  };
  for (bool receipts : {false, true})
    for (size_t i = 0; i < batches.size(); ++i) {
      if (!stored[i])
        continue;
      for (const auto& in : batches[i].evs) {
        if (in.offset <= *stored[i])
          continue;  // folded in before
        const auto& ev = in.event;
        if ((ev.kind() == wire::StatusEvent::RECEIPT) != receipts)
          continue;
        if (auto ok = receipts ? receipt(ev) : fold(ev); !ok)
          return ok;
      }
    }
  for (const auto& [id, t] : rows)
    if (t.dirty)
      put_row(v, t.key, t.row, bytes);
  for (size_t i = 0; i < batches.size(); ++i)
    if (stored[i])
      checkpoints_.stage(v.batch(), batches[i].partition, batches[i].last_offset);
  if (auto ok = check(v.write(), "delivery_log.apply"); !ok)
    return ok;
  receipts_.matched += receipts_matched;
  receipts_.parked += receipts_parked;
  receipts_.unparked += receipts_unparked;
  return {};
}

caf::expected<std::optional<sms::log_row>> delivery_log::find(std::string_view message_id) const {
  batch_view v{*db_};
  auto l = load_row(v, std::string{message_id});
  if (!l)
    return std::move(l.error());
  if (!*l)
    return std::optional<sms::log_row>{};
  return std::optional<sms::log_row>{to_row((*l)->second)};
}

caf::expected<std::optional<delivery_log::link_target>> delivery_log::short_link(
    std::string_view code) const {
  std::string value;
  auto st = db_->db().Get(rocksdb::ReadOptions{}, db_->delivery_log(), keys::log_short_link(code),
                          &value);
  if (st.IsNotFound())
    return std::optional<link_target>{};
  if (auto ok = check(st, "delivery_log.short_link"); !ok)
    return std::move(ok.error());
  auto nul = value.find('\0');
  if (nul == std::string::npos)
    return caf::make_error(errc::storage_corrupt, "delivery_log.short_link", std::string{code});
  return std::optional<link_target>{link_target{value.substr(0, nul), value.substr(nul + 1)}};
}

caf::expected<std::vector<std::string>> delivery_log::submitted_ids(
    std::string_view message_id) const {
  batch_view v{*db_};
  auto l = load_row(v, std::string{message_id});
  if (!l)
    return std::move(l.error());
  if (!*l)
    return std::vector<std::string>{};
  const auto& ids = (*l)->second.smsc_ids();
  return std::vector<std::string>{ids.begin(), ids.end()};
}

caf::expected<size_t> delivery_log::scan(int64_t from_ms, int64_t to_ms,
                                         std::string_view destination,
                                         const std::function<bool(const sms::log_row&)>& fn) const {
  range_read r;
  if (destination.empty()) {
    r.lower = keys::log_row(from_ms, "");
    r.upper = keys::log_row(to_ms, "");
    return scan_range(r, fn);
  }
  r.lower = keys::log_by_destination(destination, from_ms, "");
  r.upper = keys::log_by_destination(destination, to_ms, "");
  r.index_prefix = r.lower.size() - 8;
  r.row_prefix = keys::log_rows_start;
  return scan_range(r, fn);
}

caf::expected<size_t> delivery_log::scan_account(
    const account_scan& q, const std::function<bool(const sms::log_row&)>& fn) const {
  auto key = [&](int64_t ms, std::string_view message_id) {
    if (!q.destination.empty())
      return keys::log_by_account_destination(q.account, q.destination, ms, message_id);
    if (!q.incoming_number.empty())
      return keys::log_by_account_incoming(q.account, q.incoming_number, ms, message_id);
    return keys::log_by_account(q.account, ms, message_id);
  };
  auto lower = key(q.from_ms, "");
  auto upper = key(q.to_ms, "");
  auto prefix = lower.size() - 8;  // an entry's kind, account and number: before its time
  if (q.after) {
    // The row at `after` is excluded: as the upper bound backwards; forwards, from the key
    // right after it (its key with a NUL appended).
    auto at = key(q.after->requested_at_ms, q.after->message_id);
    if (q.newest_first)
      upper = std::min(upper, at);
    else
      lower = std::max(lower, at + '\0');
  }
  if (lower >= upper)
    return size_t{0};
  // The index is the account's; each row names its account too, and one that names another is
  // never handed out, whoever scans.
  auto mine = [&](const sms::log_row& r) { return r.account_id != q.account || fn(r); };
  range_read r;
  r.lower = std::move(lower);
  r.upper = std::move(upper);
  r.backwards = q.newest_first;
  r.bulk = q.bulk;
  if (q.destination.empty() && q.incoming_number.empty())
    return scan_range(r, mine);  // the copies themselves
  auto copies = keys::log_by_account(q.account, 0, "");
  copies.resize(copies.size() - 8);  // 'a' <account> \0: an entry's tail completes the key
  r.index_prefix = prefix;
  r.row_prefix = copies;
  return scan_range(r, mine);
}

caf::expected<size_t> delivery_log::scan_range(
    const range_read& r, const std::function<bool(const sms::log_row&)>& fn) const {
  // Named references, not a structured binding: clang 14 (the fuzz build) cannot capture one.
  const auto& lower = r.lower;
  const auto& upper = r.upper;
  const auto index_prefix = r.index_prefix;
  const auto row_prefix = r.row_prefix;
  const bool backwards = r.backwards;
  rocksdb::ReadOptions ro;
  rocksdb::Slice lower_slice{lower};
  rocksdb::Slice upper_slice{upper};
  ro.iterate_lower_bound = &lower_slice;
  ro.iterate_upper_bound = &upper_slice;
  // A range within one tenant's prefix (every account scan) lets the prefix Bloom filters skip
  // the table files that hold nothing of it; any other range reads every file.
  auto prefix = keys::log_tenant_prefix(lower);
  ro.prefix_same_as_start =
      prefix && upper.size() >= *prefix && upper.compare(0, *prefix, lower, 0, *prefix) == 0;
  if (r.bulk) {
    ro.fill_cache = false;
    ro.readahead_size = 2 << 20;
  }
  std::unique_ptr<rocksdb::Iterator> it{db_->db().NewIterator(ro, db_->delivery_log())};
  size_t n = 0;
  bool more = true;
  // Reused for every row: an export allocates nothing per row once the strings have grown.
  wire::LogRow row;
  sms::log_row out;
  auto deliver = [&](rocksdb::Slice bytes) -> caf::expected<void> {
    if (!parse_row_reusing(bytes, row))
      return caf::make_error(errc::storage_corrupt, "delivery_log.scan", "unreadable row");
    fill_row(row, out);
    ++n;
    more = fn(out);
    return {};
  };
  auto step = [&] { backwards ? it->Prev() : it->Next(); };
  if (backwards)
    it->SeekToLast();
  else
    it->Seek(lower);
  if (index_prefix == 0) {
    for (; it->Valid() && more; step())
      if (auto ok = deliver(it->value()); !ok)
        return std::move(ok.error());
  } else {
    // An index entry names its row: the row's key is the entry's tail after row_prefix. Rows are
    // read a batch at a time (one MultiGet), the batch growing from 8 to 64 so that a page
    // of a few rows reads few more than it shows and an export reads in bulk.
    constexpr size_t max_batch = 64;
    rocksdb::ReadOptions row_reads;  // the iterator's bounds are the index's, not the rows'
    row_reads.fill_cache = ro.fill_cache;
    std::array<std::string, max_batch> row_keys;
    std::array<rocksdb::Slice, max_batch> slices;
    std::array<rocksdb::PinnableSlice, max_batch> values;
    std::array<rocksdb::Status, max_batch> statuses;
    size_t batch = 8;
    while (it->Valid() && more) {
      size_t got = 0;
      for (; got < batch && it->Valid(); step(), ++got) {
        auto k = it->key();
        row_keys[got].assign(row_prefix).append(k.data() + index_prefix, k.size() - index_prefix);
        slices[got] = row_keys[got];
      }
      db_->db().MultiGet(row_reads, db_->delivery_log(), got, slices.data(), values.data(),
                         statuses.data(), !backwards);
      for (size_t i = 0; i < got && more; ++i) {
        if (statuses[i].IsNotFound())
          continue;  // purged between the two reads
        if (auto ok = check(statuses[i], "delivery_log.scan"); !ok)
          return std::move(ok.error());
        if (auto ok = deliver(values[i]); !ok)
          return std::move(ok.error());
      }
      for (size_t i = 0; i < got; ++i)
        values[i].Reset();
      batch = std::min(max_batch, batch * 2);
    }
  }
  if (auto ok = check(it->status(), "delivery_log.scan"); !ok)
    return std::move(ok.error());
  return n;
}

caf::expected<size_t> delivery_log::index_accounts() {
  std::lock_guard<std::mutex> guard{write_mtx_};
  auto& db = db_->db();
  auto* cf = db_->delivery_log();
  std::string marker;
  auto got = db.Get(rocksdb::ReadOptions{}, cf, keys::log_account_indexed(), &marker);
  if (got.ok())
    return size_t{0};
  if (!got.IsNotFound())
    return std::move(check(got, "delivery_log.index_accounts").error());
  auto upper = std::string{"s"};  // the first kind after 'r'
  rocksdb::ReadOptions ro;
  rocksdb::Slice upper_slice{upper};
  ro.iterate_upper_bound = &upper_slice;
  std::unique_ptr<rocksdb::Iterator> it{db.NewIterator(ro, cf)};
  rocksdb::WriteBatch wb;
  wire::LogRow row;
  size_t n = 0;
  for (it->Seek(rocksdb::Slice{keys::log_rows_start.data(), keys::log_rows_start.size()});
       it->Valid(); it->Next()) {
    if (!parse_stored(it->value(), row))
      continue;
    auto copy = account_copy_key(row);
    if (copy.empty())
      continue;
    // ignored (both): WriteBatch::Put fails only on oversized keys
    (void)wb.Put(cf, copy, it->value());
    for (const auto& k : account_entries(row.detail(), row.message_id()))
      (void)wb.Put(cf, k, "");
    if (++n % 10000 == 0) {
      if (auto ok = check(db.Write(rocksdb::WriteOptions{}, &wb), "delivery_log.index_accounts");
          !ok)
        return std::move(ok.error());
      wb.Clear();
    }
  }
  if (auto ok = check(it->status(), "delivery_log.index_accounts"); !ok)
    return std::move(ok.error());
  (void)wb.Put(cf, keys::log_account_indexed(), "1");
  if (auto ok = check(db.Write(rocksdb::WriteOptions{}, &wb), "delivery_log.index_accounts"); !ok)
    return std::move(ok.error());
  return n;
}

caf::expected<std::vector<sms::log_row>> delivery_log::search(int64_t from_ms, int64_t to_ms,
                                                              std::string_view destination,
                                                              size_t limit) const {
  std::vector<sms::log_row> out;
  auto n = scan(from_ms, to_ms, destination, [&](const sms::log_row& r) {
    out.push_back(r);
    return out.size() < limit;
  });
  if (!n)
    return std::move(n.error());
  return out;
}

caf::expected<std::optional<std::string>> delivery_log::unmatched_receipt(
    sms::carrier c, std::string_view handset, int64_t since_ms,
    const std::function<bool(const std::string&)>& taken) const {
  auto cb = static_cast<uint8_t>(static_cast<uint8_t>(c) + 1);
  auto lower = keys::log_parked_by_handset(cb, handset, since_ms, "");
  auto upper = keys::log_parked_by_handset(cb, handset, INT64_MAX, "");
  rocksdb::ReadOptions ro;
  rocksdb::Slice upper_slice{upper};
  ro.iterate_upper_bound = &upper_slice;
  std::unique_ptr<rocksdb::Iterator> it{db_->db().NewIterator(ro, db_->delivery_log())};
  for (it->Seek(lower); it->Valid(); it->Next()) {
    auto k = it->key();
    std::string id{k.data() + lower.size(), k.size() - lower.size()};
    if (!taken(id))
      return std::optional<std::string>{std::move(id)};
  }
  if (auto ok = check(it->status(), "delivery_log.unmatched_receipt"); !ok)
    return std::move(ok.error());
  return std::optional<std::string>{};
}

caf::expected<size_t> delivery_log::close_undetermined(int64_t now_ms, int64_t after_ms) {
  std::lock_guard<std::mutex> guard{write_mtx_};
  auto upper = keys::log_undetermined(now_ms - after_ms, "");
  rocksdb::ReadOptions ro;
  rocksdb::Slice upper_slice{upper};
  ro.iterate_upper_bound = &upper_slice;
  std::unique_ptr<rocksdb::Iterator> it{db_->db().NewIterator(ro, db_->delivery_log())};
  batch_view v{*db_};
  size_t n = 0;
  std::string bytes;
  for (it->Seek(rocksdb::Slice{keys::log_undetermined_start.data(),
                               keys::log_undetermined_start.size()});
       it->Valid(); it->Next()) {
    auto k = it->key().ToString();
    auto message_id = std::string{keys::message_of_undetermined(k)};
    auto l = load_row(v, message_id);
    if (!l)
      return std::move(l.error());
    v.del(k);
    if (!*l)
      continue;
    auto& row = (*l)->second;
    if (sms::is_final(status_of(row.status())))
      continue;
    row.set_status(static_cast<int32_t>(delivery_status::undetermined));
    put_row(v, (*l)->first, row, bytes);
    ++n;
  }
  if (auto ok = check(v.write(), "delivery_log.close_undetermined"); !ok)
    return std::move(ok.error());
  return n;
}

caf::expected<size_t> delivery_log::purge(int64_t before_ms) {
  std::lock_guard<std::mutex> guard{write_mtx_};
  auto upper = keys::log_row(before_ms, "");
  rocksdb::ReadOptions ro;
  rocksdb::Slice upper_slice{upper};
  ro.iterate_upper_bound = &upper_slice;
  std::unique_ptr<rocksdb::Iterator> it{db_->db().NewIterator(ro, db_->delivery_log())};
  rocksdb::WriteBatch wb;
  auto* cf = db_->delivery_log();
  size_t n = 0;
  wire::LogRow row;
  for (it->Seek(rocksdb::Slice{keys::log_rows_start.data(), keys::log_rows_start.size()});
       it->Valid(); it->Next()) {
    if (!parse_stored(it->value(), row))
      continue;
    const auto& d = row.detail();
    (void)wb.Delete(cf, it->key());  // ignored (all four): only oversized keys fail
    (void)wb.Delete(cf, keys::log_id(row.message_id()));
    (void)wb.Delete(
        cf, keys::log_by_destination(d.destination(), d.requested_at_ms(), row.message_id()));
    if (auto copy = account_copy_key(row); !copy.empty())
      (void)wb.Delete(cf, copy);
    for (const auto& k : account_entries(d, row.message_id()))
      (void)wb.Delete(cf, k);
    for (const auto& id : row.smsc_ids())
      (void)wb.Delete(cf, keys::log_smsc(static_cast<uint8_t>(d.carrier()), id));
    for (const auto& link : d.links())
      (void)wb.Delete(cf, keys::log_short_link(link.code()));
    if (++n % 10000 == 0) {
      if (auto ok = check(db_->db().Write(rocksdb::WriteOptions{}, &wb), "delivery_log.purge"); !ok)
        return std::move(ok.error());
      wb.Clear();
    }
  }
  if (auto ok = check(db_->db().Write(rocksdb::WriteOptions{}, &wb), "delivery_log.purge"); !ok)
    return std::move(ok.error());
  return n;
}

}  // namespace ivrcast::storage
