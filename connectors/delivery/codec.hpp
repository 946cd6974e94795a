#pragma once

#include <string_view>

#include <caf/expected.hpp>

#include "messages/sms.pb.h"

namespace ivrcast::connectors::delivery {

/// Decodes and validates a sms.status record: a known kind; a message id, and for ACCEPTED,
/// SUBMITTED and FINAL a detail with a scheduled time and destination; FINAL a final status;
/// RECEIPT a carrier, an SMSC id and a receipt state. Fails with errc::bad_input saying which.
[[nodiscard]] caf::expected<wire::StatusEvent> decode_status(std::string_view value);

}  // namespace ivrcast::connectors::delivery
