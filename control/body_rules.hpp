#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "connectors/http/server.hpp"
#include "control/api.hpp"

namespace ivrcast::control {

/// The media type of a Content-Type header: lower case, without parameters.
std::string media_type(std::string_view content_type);

/// The fields of `body` (an object) that `allowed` does not name, each as the client wrote it
/// ("contacts[1].nmae"). `allowed` is route_info::fields.
std::vector<std::string> unknown_fields(const nlohmann::json& body,
                                        const std::vector<std::string>& allowed);

/// Checks `req`'s body against what `route` takes: 415 for another content type, 413 for a
/// JSON body over `max_json_bytes`, 400 for bad JSON or unknown fields (every one named), or
/// nullopt. For a json route `out` is then the parsed object (an empty one for none).
std::optional<connectors::http::response> check_body(const route_info& route,
                                                     const connectors::http::request& req,
                                                     size_t max_json_bytes, nlohmann::json& out);

}  // namespace ivrcast::control
