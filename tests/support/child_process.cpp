#include "tests/support/child_process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>

#include <fstream>
#include <sstream>

#include "tests/support/test_support.hpp"

extern char** environ;

namespace ivrcast::test {

bool child_process::start(const std::vector<std::string>& argv, const std::string& out,
                          const std::string& err) {
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 1, out.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  if (err == out)
    posix_spawn_file_actions_adddup2(&fa, 1, 2);
  else
    posix_spawn_file_actions_addopen(&fa, 2, err.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  // The test's actor and Kafka threads block SIGINT/SIGTERM; the child must get them.
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t none;
  sigemptyset(&none);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK);
  std::vector<char*> args;
  for (const auto& a : argv)
    args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  int rc = posix_spawnp(&pid_, args[0], &fa, &attr, args.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  posix_spawnattr_destroy(&attr);
  if (rc != 0)
    pid_ = -1;
  return rc == 0;
}

void child_process::kill_now(int sig) {
  if (pid_ <= 0)
    return;
  ::kill(pid_, sig);
  ::waitpid(pid_, nullptr, 0);
  pid_ = -1;
}

int child_process::wait(std::chrono::milliseconds deadline) {
  if (pid_ <= 0)
    return -1;
  int status = 0;
  bool done = eventually([&] { return ::waitpid(pid_, &status, WNOHANG) == pid_; }, deadline);
  if (!done) {
    kill_now(SIGKILL);
    return -1;
  }
  pid_ = -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string read_file(const std::string& path) {
  std::ifstream in{path, std::ios::binary};
  std::stringstream b;
  b << in.rdbuf();
  return b.str();
}

}  // namespace ivrcast::test
