#pragma once

#include <string>
#include <string_view>

#include <caf/expected.hpp>

#include "messages/calls.hpp"

namespace ivrcast::connectors::delivery {

/// Serialises an SMS job for sms.jobs into `out` (reused buffer).
void encode_job(const messages::sms_job& job, std::string& out);

/// Decodes and validates an sms.jobs record: a job id, a destination and a requested time.
/// Fails with errc::bad_input saying what is wrong.
[[nodiscard]] caf::expected<messages::sms_job> decode_job(std::string_view value);

/// The bytes of a job moved from `from_partition` (sms::bind_plan): `job` with forwarded_from.
void mark_forwarded(std::string_view job, int32_t from_partition, std::string& out);

}  // namespace ivrcast::connectors::delivery
