#include "tests/support/test_support.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <random>
#include <thread>

#include "config/load.hpp"

namespace ivrcast::test {

temp_dir::temp_dir() {
  std::random_device rd;
  path_ = (std::filesystem::temp_directory_path() /
           ("ivrcast-test-" + std::to_string(rd()) + std::to_string(rd())))
              .string();
  std::filesystem::create_directories(path_);
}

temp_dir::~temp_dir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);  // ignored: a leftover temp dir harms nothing
}

std::chrono::milliseconds scaled(std::chrono::milliseconds d) {
  // Sanitizer builds run several times slower; their presets set the factor. Read once.
  static const int factor = [] {
    const char* v = std::getenv("IVRCAST_TEST_TIME_SCALE");
    int f = v ? std::atoi(v) : 1;
    return f >= 1 && f <= 100 ? f : 1;
  }();
  return d * factor;
}

bool eventually(const std::function<bool()>& pred, std::chrono::milliseconds deadline) {
  auto until = std::chrono::steady_clock::now() + scaled(deadline);
  while (std::chrono::steady_clock::now() < until) {
    if (pred())
      return true;
    std::this_thread::yield();
    std::this_thread::sleep_for(std::chrono::milliseconds{5});  // polling interval
  }
  return pred();
}

namespace {
sockaddr_in loopback(int port) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(static_cast<uint16_t>(port));
  return a;
}
}  // namespace

int free_port() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  auto a = loopback(0);
  bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  close(fd);
  return ntohs(a.sin_port);
}

bool port_free(int port, int type) {
  int fd = socket(AF_INET, type, 0);
  if (fd < 0)
    return false;
  auto a = loopback(port);
  bool ok = bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  close(fd);
  return ok;
}

config::settings settings_for(const std::string& test_name, const std::string& data_dir) {
  auto s = config::load("", [](const char*) -> const char* { return nullptr; });
  EXPECT_TRUE(static_cast<bool>(s)) << describe(s.error());
  std::random_device rd;
  auto unique = test_name + "-" + std::to_string(rd() % 1000000);
  s->node.data_dir = data_dir;
  s->node.log_level = "warn";
  s->kafka.topic_prefix = "t." + unique + ".";
  s->kafka.group_id = "g." + unique;
  s->kafka.session_timeout_ms = 6000;
  s->sms.group_id = "gs." + unique;
  s->sms.number_ranges = IVRCAST_SOURCE_DIR "/config/carriers/number_ranges.csv";
  s->sms.ported = IVRCAST_SOURCE_DIR "/config/carriers/ported.csv";
  if (const char* brokers = std::getenv("IVRCAST_TEST_BROKERS"))
    s->kafka.brokers = brokers;
  return *s;
}

}  // namespace ivrcast::test
