#pragma once

#include <sys/types.h>

#include <chrono>
#include <csignal>
#include <string>
#include <vector>

namespace ivrcast::test {

/// A program run by a test (a node, a gateway, SIPp, tcpdump ...): standard output and error
/// to files, every signal unblocked (the test's threads block some), killed when destroyed.
class child_process {
 public:
  child_process() = default;
  ~child_process() { kill_now(SIGKILL); }
  child_process(const child_process&) = delete;
  child_process& operator=(const child_process&) = delete;

  /// Starts `argv` (found on PATH); `err` may equal `out`. False if it could not start.
  bool start(const std::vector<std::string>& argv, const std::string& out, const std::string& err);
  /// Sends `sig` and waits for the exit.
  void kill_now(int sig);
  /// Waits up to `deadline` for the exit; its exit code, or -1 (killed, or still running: then
  /// it is killed).
  int wait(std::chrono::milliseconds deadline);
  bool running() const { return pid_ > 0; }

 private:
  pid_t pid_ = -1;
};

/// The whole content of a file ("" when missing).
std::string read_file(const std::string& path);

}  // namespace ivrcast::test
