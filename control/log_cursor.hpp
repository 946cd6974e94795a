#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "storage/delivery_log.hpp"

namespace ivrcast::control {

/// The `next` token of a delivery-log page: where the page stopped, opaque to the client and
/// signed with `key` (the session's secret) over `binding` (the account and the query), so a
/// token is good for the same search in the same session only: an edited, forged or borrowed
/// token fails to decode. Positions, not offsets: rows arriving meanwhile move no page.
std::string encode_log_cursor(const storage::delivery_log::position& at, std::string_view binding,
                              std::string_view key);
std::optional<storage::delivery_log::position> decode_log_cursor(std::string_view token,
                                                                 std::string_view binding,
                                                                 std::string_view key);

}  // namespace ivrcast::control
