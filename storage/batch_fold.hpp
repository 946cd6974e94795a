#pragma once

#include <span>

#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include "storage/database.hpp"
#include "storage/offset_checkpoints.hpp"
#include "storage/sends.hpp"
#include "storage/status.hpp"

namespace ivrcast::storage {

/// What fold_batch adds after the records by default: nothing.
struct nothing_more {
  void operator()(rocksdb::WriteBatch&) const {}
};

/// One batch of a topic folded into a projection with offsets of its own, exactly once:
/// records at or below the partition's stored offset (a replay) are skipped, `stage(record,
/// batch)` adds each other record's writes, `finish(batch)` what the batch adds as a whole, and
/// the batch is written with the new offset. `stage` returns caf::expected<void>; an error stops
/// the fold and nothing is written.
template <class Stage, class Finish = nothing_more>
caf::expected<void> fold_batch(database& db, const offset_checkpoints& checkpoints,
                               int32_t partition, std::span<const topic_record> recs,
                               const char* where, Stage&& stage, Finish&& finish = {}) {
  if (recs.empty())
    return {};
  auto stored = checkpoints.load(partition);
  if (!stored)
    return std::move(stored.error());
  if (recs.back().offset <= *stored)
    return {};  // all read before: writing its last offset would move the checkpoint back
  rocksdb::WriteBatch wb;
  for (const auto& r : recs) {
    if (r.offset <= *stored)
      continue;  // replayed
    if (auto ok = stage(r, wb); !ok)
      return ok;
  }
  finish(wb);
  checkpoints.stage(wb, partition, recs.back().offset);
  return check(db.db().Write(rocksdb::WriteOptions{}, &wb), where);
}

}  // namespace ivrcast::storage
