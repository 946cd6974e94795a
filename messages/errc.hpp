#pragma once

#include <cstdint>
#include <string>

#include <caf/error.hpp>
#include <caf/make_message.hpp>
#include <caf/message.hpp>

namespace ivrcast {

/// Error codes of ivrcast; append, never renumber.
enum class errc : uint8_t {
  /// A configuration key is unknown or its value breaks its rule.
  bad_config = 1,
  /// A record or request failed to decode or validate.
  bad_input,
  /// RocksDB reported a failure that may go away (I/O, busy).
  storage_failure,
  /// RocksDB found corrupt data.
  storage_corrupt,
  /// A Kafka client could not be created or configured.
  kafka_setup,
  /// Kafka refused or failed an operation.
  kafka_failure,
  /// A file could not be read.
  io_failure,
  /// Something took longer than its deadline.
  timeout,
};

/// Name of the code, for logs and error messages.
const char* to_string(errc code);

/// One line describing `err`: category, code name and its context strings.
std::string describe(const caf::error& err);

}  // namespace ivrcast

CAF_ERROR_CODE_ENUM(ivrcast::errc, "ivrcast")
