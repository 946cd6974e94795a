#pragma once

#include <string_view>

#include <caf/expected.hpp>

#include "messages/flows.hpp"

namespace ivrcast::connectors::control {

/// Folds a control.accounts record into `table`; fails with errc::bad_input if it does not
/// decode or validate (the table is then unchanged).
[[nodiscard]] caf::expected<void> apply_account(std::string_view key, std::string_view value,
                                                messages::flow_table& table);

/// Folds a control.flows record into `table`; an empty value (tombstone) deletes the flow of
/// the number in `key`.
[[nodiscard]] caf::expected<void> apply_flow(std::string_view key, std::string_view value,
                                             messages::flow_table& table);

}  // namespace ivrcast::connectors::control
