#pragma once

#include <string>

#include "config/settings.hpp"
#include "tests/support/child_process.hpp"

namespace ivrcast::test {

/// Writes the config file of a node process from `s`: node, Kafka (session timeout included),
/// SMS group, number tables and each carrier's SMSC and timings.
void write_node_config(const config::settings& s, const std::string& path);

/// A node as its own process, `ivrcast run --config <file>`, with its log in a file.
class node_process {
 public:
  node_process(std::string config, std::string log)
      : config_(std::move(config)), log_(std::move(log)) {}

  void start();
  /// Sends `sig` and waits for the exit.
  void kill_now(int sig) { proc_.kill_now(sig); }
  const std::string& log() const { return log_; }

 private:
  std::string config_;
  std::string log_;
  child_process proc_;
};

}  // namespace ivrcast::test
