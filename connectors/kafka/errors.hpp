#pragma once

#include <string>

#include <caf/error.hpp>

namespace ivrcast::connectors::kafka {

/// errc::kafka_failure naming `where` and librdkafka's text for error code `code`.
caf::error kafka_error(int code, const char* where);

/// errc::kafka_setup naming `where` and `detail`.
caf::error setup_error(const char* where, std::string detail);

}  // namespace ivrcast::connectors::kafka
