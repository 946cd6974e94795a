#pragma once

// Every message type and atom actors exchange; main.cpp loads the block with
// cfg.add_message_types<caf::id_block::ivrcast>().

#include <caf/atom.hpp>
#include <caf/type_id.hpp>

#include "messages/calls.hpp"
#include "messages/ids.hpp"

CAF_BEGIN_TYPE_ID_BLOCK(ivrcast, caf::first_custom_type_id)
CAF_ADD_ATOM(ivrcast, ivrcast::atom, apply, "apply")
CAF_ADD_ATOM(ivrcast, ivrcast::atom, handled, "handled")
CAF_ADD_ATOM(ivrcast, ivrcast::atom, delivered, "delivered")
CAF_ADD_ATOM(ivrcast, ivrcast::atom, finished, "finished")
CAF_ADD_ATOM(ivrcast, ivrcast::atom, tick, "tick")
CAF_ADD_ATOM(ivrcast, ivrcast::atom, expire, "expire")
CAF_ADD_ATOM(ivrcast, ivrcast::atom, check, "check")
CAF_ADD_ATOM(ivrcast, ivrcast::atom, stats, "stats")
CAF_ADD_ATOM(ivrcast, ivrcast::atom, update, "update")
CAF_ADD_ATOM(ivrcast, ivrcast::atom, resume, "resume")
CAF_ADD_TYPE_ID(ivrcast, (ivrcast::call_id))
CAF_ADD_TYPE_ID(ivrcast, (ivrcast::partition_id))
CAF_ADD_TYPE_ID(ivrcast, (ivrcast::messages::call_event))
CAF_ADD_TYPE_ID(ivrcast, (ivrcast::messages::rejected_record))
CAF_ADD_TYPE_ID(ivrcast, (ivrcast::messages::call_event_batch))
CAF_END_TYPE_ID_BLOCK(ivrcast)
