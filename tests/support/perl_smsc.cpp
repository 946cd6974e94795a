#include "tests/support/perl_smsc.hpp"

#include <signal.h>

namespace ivrcast::test {

perl_smsc::perl_smsc(const std::string& script) {
  // Its errors not on the test's output: a script left behind by a crash must not hold ctest's
  // pipe open.
  auto cmd = "perl " IVRCAST_SOURCE_DIR "/tests/smpp/" + script + " 2>/dev/null";
  pipe_ = ::popen(cmd.c_str(), "r");
  reader_ = std::thread{[this] {
    char line[512];
    while (pipe_ && std::fgets(line, sizeof line, pipe_)) {
      std::lock_guard<std::mutex> guard{mtx_};
      lines_.emplace_back(line);
    }
  }};
}

perl_smsc::~perl_smsc() {
  if (auto pid = value_of("PID "); pid > 0)
    ::kill(static_cast<pid_t>(pid), SIGTERM);  // ends its accept loop and our reader's pipe
  if (reader_.joinable())
    reader_.join();
  if (pipe_)
    ::pclose(pipe_);
}

int perl_smsc::count(std::string_view prefix) const {
  std::lock_guard<std::mutex> guard{mtx_};
  int n = 0;
  for (const auto& l : lines_)
    n += l.starts_with(prefix) ? 1 : 0;
  return n;
}

std::vector<std::string> perl_smsc::lines() const {
  std::lock_guard<std::mutex> guard{mtx_};
  return lines_;
}

long perl_smsc::value_of(std::string_view prefix) const {
  std::lock_guard<std::mutex> guard{mtx_};
  for (const auto& l : lines_)
    if (l.starts_with(prefix))
      return std::stol(l.substr(prefix.size()));
  return 0;
}

}  // namespace ivrcast::test
