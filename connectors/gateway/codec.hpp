#pragma once

#include <string>
#include <string_view>

#include <caf/expected.hpp>

#include "messages/calls.hpp"

namespace ivrcast::connectors::gateway {

/// Decodes and validates a CallEvent record; `called` comes out in national form. Fails with
/// errc::bad_input saying what is wrong. `offset` is stored in the result.
[[nodiscard]] caf::expected<messages::call_event> decode_event(std::string_view key,
                                                               std::string_view value,
                                                               int64_t offset);

/// Whether a CallEvent record is a call's start, read from its wire format without decoding it
/// (the kind is a oneof of fields 10-13; the last one present wins). False for a record that is
/// not a protobuf. Whether a start is valid is still decode_event's to say.
[[nodiscard]] bool is_start_event(std::string_view value);

/// Serialises a command into `out` (reused buffer).
void encode(const messages::call_command& cmd, std::string& out);

/// Serialises an event (the gateway side: simulator, tests).
void encode(const messages::call_event& ev, std::string& out);

/// Decodes a command (the gateway side: simulator, tests).
[[nodiscard]] caf::expected<messages::call_command> decode_command(std::string_view value);

}  // namespace ivrcast::connectors::gateway
