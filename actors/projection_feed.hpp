#pragma once

#include <functional>
#include <span>
#include <string>
#include <vector>

#include "actors/log.hpp"
#include "connectors/kafka/consumer.hpp"
#include "messages/errc.hpp"
#include "storage/sends.hpp"

namespace ivrcast::actors {

/// Feeds a RocksDB projection that keeps its own offsets (`Store`: checkpoint(partition) and
/// apply(partition, records), as storage::sends, storage::usage and storage::audit_log do):
/// from its checkpoint on, one apply per batch; a failed apply is logged as
/// `event=<what>_apply_failed`. `applied` (optional) runs after each batch.
template <class Store>
class projection_feed final : public connectors::kafka::partition_reader::handler {
 public:
  projection_feed(Store& store, std::string what, std::function<void()> applied = {})
      : store_(&store), what_(std::move(what)), applied_(std::move(applied)) {}

  int64_t start_offset(int32_t partition) override {
    auto cp = store_->checkpoint(partition);
    return cp ? *cp + 1 : 0;  // unreadable: from the start, which skips what was folded
  }

  void records(int32_t partition, std::span<const connectors::kafka::record> batch) override {
    recs_.clear();
    for (const auto& r : batch)
      recs_.push_back({r.offset, r.key, r.value});
    if (auto ok = store_->apply(partition, recs_); !ok)
      logger().error("event={}_apply_failed partition={} error=\"{}\"", what_, partition,
                     describe(ok.error()));
    if (applied_)
      applied_();
  }

 private:
  Store* store_;
  std::string what_;
  std::function<void()> applied_;
  std::vector<storage::topic_record> recs_;
};

}  // namespace ivrcast::actors
