#pragma once

#include <memory>

#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "actors/handles.hpp"
#include "storage/call_counts.hpp"

namespace ivrcast::actors {

struct call_counter_state {
  static inline const char* name = "call_counter";
  std::shared_ptr<storage::call_counts> counts;
};

/// Folds call events into the call-count projection; one per node, its only writer. Once an
/// hour it forgets the first starts of calls older than `retention_ms` (the counts stay).
call_counter_actor::behavior_type call_counter(
    call_counter_actor::stateful_pointer<call_counter_state> self,
    std::shared_ptr<storage::call_counts> counts, int64_t retention_ms);

}  // namespace ivrcast::actors
