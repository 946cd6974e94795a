#pragma once

#include <cstdint>
#include <deque>
#include <optional>

namespace ivrcast::actors {

/// Which consumed offsets of one partition are finished: handled by their session and every
/// output they caused confirmed by a delivery report. Delivery reports may overtake the
/// session's "handled", so counts are signed. Offsets are dense apart from skipped records,
/// so a deque from the lowest unfinished offset replaces a map (no allocation per record).
/// Owned by one call router.
class offset_progress {
 public:
  /// What a record read is to its consumer.
  struct reading {
    bool process = false;  // read the first time, or deferred before
    int tag = -1;          // deferred before: the tag it was deferred with
  };

  /// A record at `offset` was read. It is to be processed the first time, and when read again
  /// after being deferred; not when read again while in progress or finished (a rewind re-reads
  /// what followed a deferred record).
  reading consumed(int64_t offset);

  /// A consumed record is left unprocessed, to be read again after a rewind, with a `tag`
  /// (0–255) its consumer gets back then; it holds the commit back until then.
  void deferred(int64_t offset, uint8_t tag);

  /// Its session is done with it, having queued `outputs` messages.
  void handled(int64_t offset, int outputs);

  /// One output caused by `offset` was delivered.
  void delivered(int64_t offset);

  /// The offset to commit: every record before it is finished and, if `oldest_live` is given,
  /// no live call started before it. -1 when nothing was consumed yet.
  int64_t committable(std::optional<int64_t> oldest_live) const;

  /// Records consumed and not finished.
  size_t unfinished() const;

 private:
  struct slot {
    int32_t outstanding = 0;
    bool handled = false;
    bool deferred = false;
    uint8_t tag = 0;
  };
  slot* at(int64_t offset);
  void advance();

  int64_t base_ = -1;  // offset of slots_.front()
  std::deque<slot> slots_;
};

}  // namespace ivrcast::actors
