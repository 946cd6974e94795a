#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
#include <span>
#include <vector>

#include "sms/carrier.hpp"

namespace ivrcast::sms {

/// Where to read a partition of sms.jobs again from.
struct rewind {
  int32_t partition;
  int64_t offset;
};

/// Keeps the jobs a node's senders hold bounded per carrier (docs/sms-delivery.md, "Held
/// jobs"). A carrier that is down or slower than its jobs would otherwise have every job read
/// held in its sender's memory. A job whose carrier already holds `limit` is not handed over:
/// it stays in sms.jobs, uncommitted, and its partition is read again from it once that carrier
/// is down to half the limit. Pausing the partition instead would stop every other carrier's
/// jobs behind it, as partitions mix carriers. Pure: loads in, rewinds out; the consumer's
/// thread only.
class intake_limit {
 public:
  explicit intake_limit(size_t limit);

  /// Whether the job of carrier `c` at (partition, offset) may go to its sender, which holds
  /// `load` jobs (handed over and not ended), and no earlier job of `c` in the partition waits
  /// for a rewind. If not, it is remembered for a rewind.
  bool admit(carrier c, size_t load, int32_t partition, int64_t offset);

  /// The partition's next offset to read: after each batch, and after each rewind done. A
  /// rewind only ever goes back: one to where the reader has not been yet is not needed, and
  /// would skip what an earlier rewind still has to read again.
  void reading(int32_t partition, int64_t next);

  /// Appends where to read again now: per partition, the lowest offset left for a carrier whose
  /// load (indexed by carrier) is down to half the limit, and every rewind given back by
  /// `again`, unless the reader has not got there yet. What it considers is forgotten.
  void rewinds(std::span<const size_t, 4> loads, std::vector<rewind>& out);

  /// A rewind that could not be done: it comes back from the next rewinds().
  void again(rewind r);

  /// A partition let go: its next owner reads what was left from the commit.
  void forget(int32_t partition);

  /// Whether any job is waiting for a rewind.
  bool waiting() const;
  size_t limit() const { return limit_; }

 private:
  static void lower(std::map<int32_t, int64_t>& to, int32_t partition, int64_t offset);

  size_t limit_;
  std::array<std::map<int32_t, int64_t>, 4> left_;  // per carrier: partition → lowest offset
  std::map<int32_t, int64_t> retry_;                // rewinds given back
  std::map<int32_t, int64_t> next_;                 // per partition: next offset to read
};

}  // namespace ivrcast::sms
