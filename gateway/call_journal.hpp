#pragma once

#include <cstdio>
#include <memory>
#include <string>
#include <unordered_set>
#include <vector>

#include <caf/expected.hpp>

namespace ivrcast::gateway {

/// The gateway's small local record of its live calls, so that a restart can end the calls
/// it had open (ended{NETWORK_ERROR}) instead of leaving sessions waiting at the nodes. An
/// append-only file of "+<call_id>" and "-<call_id>" lines, rewritten whole when it grows.
/// A crash loses at most what the kernel had not written, never the order. Loop thread only.
class call_journal {
 public:
  /// Opens `dir`/live_calls.<gateway_id>; `open_calls` gets the calls a previous run left
  /// open. The file then starts empty.
  [[nodiscard]] static caf::expected<std::unique_ptr<call_journal>> open(
      const std::string& dir, const std::string& gateway_id, std::vector<std::string>& open_calls);
  ~call_journal();

  void started(const std::string& call_id);
  void ended(const std::string& call_id);

 private:
  call_journal() = default;
  void write(char mark, const std::string& call_id);
  void compact();

  std::string path_;
  std::FILE* file_ = nullptr;
  std::unordered_set<std::string> live_;
  size_t lines_ = 0;
};

}  // namespace ivrcast::gateway
