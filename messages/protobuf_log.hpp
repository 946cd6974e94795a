#pragma once

namespace ivrcast::messages {

/// Routes Protobuf's own messages (a string field that is not UTF-8 in a record from outside,
/// for one) to spdlog as structured `event=protobuf_log` lines, at most 10 a minute with the
/// number left out, so a stream of bad records cannot flood the log. Call once at start.
void route_protobuf_logs();

}  // namespace ivrcast::messages
