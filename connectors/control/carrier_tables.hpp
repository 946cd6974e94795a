#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <caf/expected.hpp>

#include "messages/control.pb.h"

namespace ivrcast::connectors::kafka {
class bus;
}

namespace ivrcast::connectors::control {

/// The two carrier data tables (number ranges, portability list) as text.
struct carrier_tables {
  std::string ranges;
  std::string ported;
};

/// The control-state records of `t`: each table cut at line ends into chunks of at most
/// `chunk_bytes`, keyed carriers/<name>/<index>, all carrying the version of the pair. Fails naming
/// the line when a table does not parse (sms::carrier_directory's rules): a bad table never reaches
/// a node.
[[nodiscard]] caf::expected<std::vector<wire::ControlRecord>> carrier_table_records(
    const carrier_tables& t, size_t chunk_bytes = 512 * 1024);

/// The control-state key of a chunk: carriers/<name>/<index, 5 digits>.
std::string carrier_table_key(const wire::CarrierTableChunk& c);

/// Reads the two files, checks them and publishes them to control.state, waiting for the
/// broker: every node then routes by them (`ivrcast publish-carriers`). Returns the version.
[[nodiscard]] caf::expected<std::string> publish_carrier_tables(const std::string& ranges_path,
                                                                const std::string& ported_path,
                                                                const kafka::bus& b);

/// Assembles a table from its chunks (any order): the text if chunks 0..count-1 are all there
/// with one version (that version in `version`), else empty (a table being replaced).
std::string assemble_table(const std::vector<wire::CarrierTableChunk>& chunks,
                           std::string& version);

}  // namespace ivrcast::connectors::control
