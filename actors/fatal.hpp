#pragma once

#include <string>

namespace ivrcast::actors {

/// Stops the node because it can no longer keep its promise (a record the broker refused, a
/// store it cannot read): logs why at critical level, once, and asks the process to stop as a
/// SIGTERM would, so the stop is orderly and the exit code says it failed. Any thread.
void stop_fatally(const std::string& why);

/// Whether stop_fatally was called: `ivrcast run` then exits with 70 (EX_SOFTWARE).
bool stopped_fatally();

}  // namespace ivrcast::actors
