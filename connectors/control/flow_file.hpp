#pragma once

#include <string>
#include <vector>

#include <caf/expected.hpp>

#include "messages/control.pb.h"

namespace ivrcast::connectors::kafka {
class bus;
class producer;
}  // namespace ivrcast::connectors::kafka

namespace ivrcast::connectors::control {

/// Accounts and published flows read from a JSON file (config/flows.example.json): the
/// stand-in for the portal until it publishes flows itself.
struct flow_file {
  std::vector<wire::Enterprise> enterprises;  // every enterprise an account names, with its name
  std::vector<wire::Account> accounts;
  std::vector<wire::PublishedFlow> flows;
};

/// Reads and validates the file; errors name the JSON path and the rule
/// ("flows[0].steps.1.text: at most 100 characters"). A flow without `version_id` gets one
/// derived from its content, so republishing an unchanged file keeps its versions; its 案件名
/// is always messages::campaign_name of the version (a `name` is refused).
[[nodiscard]] caf::expected<flow_file> load_flow_file(const std::string& path);

/// The same from JSON text.
[[nodiscard]] caf::expected<flow_file> parse_flow_file(const std::string& json);

/// Publishes every record to the compacted control topics and waits for delivery.
[[nodiscard]] caf::expected<void> publish(const flow_file& f, const kafka::bus& b,
                                          kafka::producer& p);

/// Loads the file at `path` and publishes it with a producer of its own; returns what it
/// published. The flow-file stand-in for the portal's publish button.
[[nodiscard]] caf::expected<flow_file> publish_file(const std::string& path, const kafka::bus& b);

/// Characters (Unicode code points) of a UTF-8 string; -1 if it is not valid UTF-8.
long utf8_length(const std::string& s);

}  // namespace ivrcast::connectors::control
