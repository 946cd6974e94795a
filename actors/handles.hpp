#pragma once

// Every typed actor interface of a node, in one place because they refer to each other.

#include <cstdint>
#include <string>

#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include "messages/calls.hpp"
#include "messages/flows.hpp"
#include "messages/type_ids.hpp"

namespace ivrcast::actors {

/// A session's next call: the flow version the call keeps for life (null: no published flow)
/// and whether the account may take calls. Local only: the flow is shared, not copied.
struct session_start {
  std::shared_ptr<const messages::published_flow> flow;
  bool account_active = false;
};

/// One live call at a time: runs ivr::call_logic and emits commands and SMS jobs to the outbox.
using call_session_actor = caf::typed_actor<
    /// Applies the next event of the call; reports `handled` (and `finished`) to its router.
    caf::reacts_to<messages::call_event>,
    /// Begins a call: the router sends it before the call's first event, to a new session or
    /// to one whose last call it has forgotten.
    caf::reacts_to<session_start>,
    /// The call reached its maximum duration: hang up and finish.
    caf::reacts_to<atom::expire>,
    /// Offers again the outputs the outbox had no room for.
    caf::reacts_to<atom::resume>>;

/// One partition of the call-events topic: spawns a session per call, routes events, tracks
/// which offsets are finished and publishes the offset that is safe to commit.
using call_router_actor = caf::typed_actor<
    /// Consecutive records of the partition, in order.
    caf::reacts_to<messages::call_event_batch>,
    /// A session handled the event at the offset and queued that many outputs.
    caf::reacts_to<atom::handled, int64_t, int32_t>,
    /// One output of the record at the offset was delivered.
    caf::reacts_to<atom::delivered, int64_t>,
    /// A session finished; the router forgets the call.
    caf::reacts_to<atom::finished, call_id>,
    /// Periodic: expire calls past the maximum duration, publish the commit point.
    caf::reacts_to<atom::tick>,
    /// Checks again whether the call-count projection has caught up with the router's start.
    caf::reacts_to<atom::resume>>;

/// The call-count projection's only writer.
using call_counter_actor = caf::typed_actor<
    /// Applies a batch once; replies with the last offset now stored, or the storage error.
    caf::replies_to<atom::apply, messages::call_event_batch>::with<int64_t>,
    /// Periodic: forgets the first starts of calls older than the retention.
    caf::reacts_to<atom::tick>>;

}  // namespace ivrcast::actors

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(ivrcast::actors::session_start)
