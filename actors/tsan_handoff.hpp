#pragma once

#include <caf/abstract_actor.hpp>
#include <caf/actor_cast.hpp>

#if defined(__SANITIZE_THREAD__)
#include <sanitizer/tsan_interface.h>
#endif

namespace ivrcast::actors {

// ThreadSanitizer cannot see CAF 0.17 (Debian's uninstrumented libcaf_core) hand a message from
// the sending thread to an actor, nor an actor from one worker thread to the next, so it takes
// the actor's own state and the messages it reads for races. tests/tsan.supp drops those
// reports, but each one still costs TSan a search of every address it ever reported, under one
// lock: an actor that handles many messages (an SMS sender ticks every 20 ms) made a node under
// TSan crawl, until another actor of the process (the call counter) fell minutes behind.
// These tell TSan what CAF guarantees, keyed on the actor's address. Nothing in other builds.

/// Before sending to `actor` (a handle): what this thread wrote is the receiving handler's to
/// read.
template <class Handle>
void tsan_handoff([[maybe_unused]] const Handle& actor) {
#if defined(__SANITIZE_THREAD__)
  __tsan_release(caf::actor_cast<caf::abstract_actor*>(actor));
#endif
}

/// One handler of the actor `self`, from start to end: it follows every message handed to the
/// actor and the actor's previous handler, wherever they ran.
class tsan_turn {
 public:
  template <class Self>
  explicit tsan_turn([[maybe_unused]] Self* self) {
#if defined(__SANITIZE_THREAD__)
    actor_ = caf::actor_cast<caf::abstract_actor*>(self);
    __tsan_acquire(actor_);
#endif
  }
  ~tsan_turn() {
#if defined(__SANITIZE_THREAD__)
    __tsan_release(actor_);
#endif
  }
  tsan_turn(const tsan_turn&) = delete;
  tsan_turn& operator=(const tsan_turn&) = delete;

 private:
  [[maybe_unused]] void* actor_ = nullptr;
};

}  // namespace ivrcast::actors
