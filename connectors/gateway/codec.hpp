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

/// Serialises a command into `out` (reused buffer).
void encode(const messages::call_command& cmd, std::string& out);

/// Serialises an SMS job into `out` (reused buffer).
void encode(const messages::sms_job& job, std::string& out);

/// Serialises an event (the gateway side: simulator, tests).
void encode(const messages::call_event& ev, std::string& out);

/// Decodes a command (the gateway side: simulator, tests).
[[nodiscard]] caf::expected<messages::call_command> decode_command(std::string_view value);

/// The bytes of a job moved from `from_partition` (sms::bind_plan): `job` with forwarded_from.
void mark_forwarded(std::string_view job, int32_t from_partition, std::string& out);

/// Decodes an SMS job (downstream consumers, tests).
[[nodiscard]] caf::expected<messages::sms_job> decode_job(std::string_view value);

}  // namespace ivrcast::connectors::gateway
