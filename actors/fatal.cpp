#include "actors/fatal.hpp"

#include <atomic>

#include <signal.h>
#include <unistd.h>

#include "actors/log.hpp"
#include "messages/text.hpp"

namespace ivrcast::actors {
namespace {
std::atomic<bool> fatal{false};
}

void stop_fatally(const std::string& why) {
  if (fatal.exchange(true))
    return;
  logger().critical("event=node_fatal reason=\"{}\"", log_escaped(why));
  // main waits for SIGTERM with sigtimedwait: the same orderly stop as an operator's.
  ::kill(::getpid(), SIGTERM);
}

bool stopped_fatally() {
  return fatal.load();
}

}  // namespace ivrcast::actors
