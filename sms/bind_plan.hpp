#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace ivrcast::sms {

/// How a carrier's contract limits (`connections` binds, `rate` submits/s) are shared by the
/// nodes of a cluster without any coordination beyond the consumer group of sms.jobs. Bind slot
/// j (0 ≤ j < connections) belongs to partition j mod P; a node holds the binds of the
/// partitions it owns, so the cluster holds exactly `connections` whatever the number of nodes,
/// and submits a partition's messages only over its own slots, at rate/connections per slot.
/// With fewer binds than partitions, partitions from `connections` on have no slot: their jobs
/// for that carrier move to partition p mod connections (a pure function of p, so a replay
/// moves them alike and one destination's messages keep one order). Pure: no I/O.
class bind_plan {
 public:
  bind_plan(int partitions, int connections);

  /// The partition whose owner sends a job of this carrier read from `partition`.
  int32_t home(int32_t partition) const;
  /// The bind slots of `partition` (empty if it has none).
  std::vector<int> slots(int32_t partition) const;
  /// The partition of bind slot `slot`.
  int32_t partition_of(int slot) const { return slot % partitions_; }
  /// Binds held by a node owning `owned` partitions.
  int binds(std::span<const int32_t> owned) const;
  /// Submits per second for `binds` held, of the carrier's `rate`.
  double rate_share(int rate, int binds) const;
  int connections() const { return connections_; }

 private:
  int partitions_;
  int connections_;
};

}  // namespace ivrcast::sms
