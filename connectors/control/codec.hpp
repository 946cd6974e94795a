#pragma once

#include <string_view>

#include <caf/expected.hpp>

#include "messages/control.pb.h"
#include "messages/flows.hpp"

namespace ivrcast::connectors::control {

/// Folds one control.state record (key "<kind>/<id>"; `rec` null for a tombstone) into the
/// IVR's flow table: accounts and published flows; other kinds leave it unchanged. Fails with
/// errc::bad_input if the record does not validate (the table is then unchanged).
[[nodiscard]] caf::expected<void> apply_record(std::string_view key, const wire::ControlRecord* rec,
                                               messages::flow_table& table);

}  // namespace ivrcast::connectors::control
