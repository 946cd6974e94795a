#include "actors/offset_progress.hpp"

#include <algorithm>
#include <utility>

namespace ivrcast::actors {

offset_progress::reading offset_progress::consumed(int64_t offset) {
  if (base_ < 0)
    base_ = offset;
  if (offset < base_)
    return {};  // already finished: a redelivery after the commit point
  if (auto* s = at(offset)) {
    if (!std::exchange(s->deferred, false))
      return {};
    return {true, s->tag};
  }
  // Gaps (records that went to the dead-letter topic, compaction) count as finished.
  while (base_ + static_cast<int64_t>(slots_.size()) < offset)
    slots_.push_back(slot{0, true});
  slots_.push_back(slot{});
  return {true, -1};
}

void offset_progress::deferred(int64_t offset, uint8_t tag) {
  if (auto* s = at(offset)) {
    s->deferred = true;
    s->tag = tag;
  }
}

void offset_progress::handled(int64_t offset, int outputs) {
  if (auto* s = at(offset)) {
    s->outstanding += outputs;
    s->handled = true;
    advance();
  }
}

void offset_progress::delivered(int64_t offset) {
  if (auto* s = at(offset)) {
    --s->outstanding;
    advance();
  }
}

int64_t offset_progress::committable(std::optional<int64_t> oldest_live) const {
  if (base_ < 0)
    return -1;
  return oldest_live ? std::min(base_, *oldest_live) : base_;
}

size_t offset_progress::unfinished() const {
  return slots_.size();
}

offset_progress::slot* offset_progress::at(int64_t offset) {
  if (offset < base_ || offset >= base_ + static_cast<int64_t>(slots_.size()))
    return nullptr;
  return &slots_[static_cast<size_t>(offset - base_)];
}

void offset_progress::advance() {
  while (!slots_.empty() && slots_.front().handled && slots_.front().outstanding <= 0) {
    slots_.pop_front();
    ++base_;
  }
}

}  // namespace ivrcast::actors
