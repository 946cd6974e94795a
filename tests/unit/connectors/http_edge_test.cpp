// What a bad client can do to the HTTP edge, over real sockets: a chunked body of 1 GiB, a
// compressed bomb, a 1 MiB header line, a thousand idle keep-alive connections. Each is refused
// or outlasted while the process's memory stays near its baseline and others are served.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>
#include <zlib.h>

#include <chrono>
#include <fstream>
#include <string>
#include <vector>

#include "connectors/http/server.hpp"

namespace ivrcast::connectors::http {
namespace {

/// This process's resident memory, in KiB (/proc/self/status VmRSS).
long rss_kib() {
  std::ifstream in{"/proc/self/status"};
  std::string line;
  while (std::getline(in, line))
    if (line.starts_with("VmRSS:"))
      return std::stol(line.substr(6));
  return -1;
}

class HttpEdgeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto ok = [](const request& r) {
      response out;
      out.body = "{\"bytes\":" + std::to_string(r.body.size()) + "}";
      return out;
    };
    server_options opts;
    opts.listen = "127.0.0.1:0";
    opts.threads = 4;
    // A streamed body that fails after its first part when asked (?fail=1).
    auto streamed = [](const request& r) {
      response out;
      out.content_type = "text/csv";
      bool fail = r.query_value("fail") == "1";
      out.stream = [fail](const std::function<bool(std::string_view)>& sink) {
        return sink("part-1,") && !fail && sink("part-2");
      };
      return out;
    };
    auto s = server::start(opts, {{"POST", "/v1/things", ok, 64 * 1024},
                                  {"GET", "/v1/health", ok},
                                  {"GET", "/v1/stream", streamed}});
    ASSERT_TRUE(s);
    server_ = std::move(*s);
  }

  int connect_client() const {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(server_->port()));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    return fd;
  }

  /// Sends what it can of `data` (false once the server stopped taking it).
  static bool send_all(int fd, std::string_view data) {
    while (!data.empty()) {
      auto n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
      if (n <= 0)
        return false;
      data.remove_prefix(static_cast<size_t>(n));
    }
    return true;
  }

  /// What the server answered, up to its closing or a quiet 5 s.
  static std::string read_answer(int fd) {
    std::string out;
    char buf[4096];
    while (true) {
      pollfd pf{fd, POLLIN, 0};
      if (::poll(&pf, 1, 5000) <= 0)
        break;
      auto n = ::recv(fd, buf, sizeof buf, 0);
      if (n <= 0)
        break;
      out.append(buf, static_cast<size_t>(n));
      if (out.find("\r\n\r\n") != std::string::npos && out.find("}") != std::string::npos)
        break;
    }
    return out;
  }

  std::unique_ptr<server> server_;
};

TEST_F(HttpEdgeTest, AStreamThatFailsEndsWithoutItsLastChunkSoTheDownloadFails) {
  auto fetch = [&](const char* path) {
    int fd = connect_client();
    EXPECT_TRUE(send_all(
        fd, std::string{"GET "} + path + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
    std::string out;
    char buf[4096];
    for (ssize_t n; (n = ::recv(fd, buf, sizeof buf, 0)) > 0;)
      out.append(buf, static_cast<size_t>(n));
    ::close(fd);
    return out;
  };
  auto whole = fetch("/v1/stream");
  EXPECT_NE(whole.find("part-2"), std::string::npos) << whole;
  EXPECT_TRUE(whole.ends_with("\r\n0\r\n\r\n")) << whole;
  auto cut = fetch("/v1/stream?fail=1");
  EXPECT_NE(cut.find("part-1"), std::string::npos) << cut;
  EXPECT_EQ(cut.find("\r\n0\r\n\r\n"), std::string::npos) << "a clean end would hide the failure";
}

TEST_F(HttpEdgeTest, AChunkedBodyOfAGibibyteIsRefusedWithoutBeingRead) {
  auto before = rss_kib();
  int fd = connect_client();
  ASSERT_TRUE(send_all(fd,
                       "POST /v1/things HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                       "Transfer-Encoding: chunked\r\n\r\n"));
  std::string chunk = "10000\r\n" + std::string(65536, 'a') + "\r\n";
  size_t sent = 0;
  while (sent < (size_t{1} << 30) && send_all(fd, chunk))
    sent += 65536;
  auto answer = read_answer(fd);
  ::close(fd);
  EXPECT_LT(sent, size_t{1} << 30) << "the server read the whole GiB";
  if (!answer.empty()) {  // the refusal may be lost to the reset of a request still arriving
    EXPECT_TRUE(answer.starts_with("HTTP/1.1 413")) << answer.substr(0, 200);
  }
  EXPECT_LT(rss_kib() - before, 8 * 1024) << "KiB grown while refusing";
}

TEST_F(HttpEdgeTest, ABodyOverItsRoutesLimitIsRefusedFromItsLength) {
  int fd = connect_client();
  ASSERT_TRUE(send_all(fd,
                       "POST /v1/things HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                       "Content-Length: 1073741824\r\n\r\n"));
  auto answer = read_answer(fd);
  ::close(fd);
  EXPECT_TRUE(answer.starts_with("HTTP/1.1 413")) << answer;
  EXPECT_NE(answer.find("body_too_large"), std::string::npos) << answer;
}

TEST_F(HttpEdgeTest, ACompressedBodyIsNeverInflated) {
  // 256 MiB of zeros in a gzip stream of some 250 KiB.
  std::string bomb(256u * 1024, '\0');
  z_stream z{};
  ASSERT_EQ(deflateInit2(&z, 9, Z_DEFLATED, 31, 9, Z_DEFAULT_STRATEGY), Z_OK);
  std::string zeros(1 << 20, '\0');
  size_t produced = 0;
  for (int i = 0; i < 256; ++i) {
    z.next_in = reinterpret_cast<Bytef*>(zeros.data());
    z.avail_in = static_cast<uInt>(zeros.size());
    do {
      z.next_out = reinterpret_cast<Bytef*>(bomb.data() + produced);
      z.avail_out = static_cast<uInt>(bomb.size() - produced);
      deflate(&z, i == 255 ? Z_FINISH : Z_NO_FLUSH);
      produced = bomb.size() - z.avail_out;
    } while (z.avail_in > 0);
  }
  deflateEnd(&z);
  bomb.resize(produced);
  auto before = rss_kib();
  int fd = connect_client();
  ASSERT_TRUE(send_all(fd,
                       "POST /v1/things HTTP/1.1\r\nHost: x\r\nContent-Type: "
                       "application/json\r\nContent-Encoding: gzip\r\nContent-Length: " +
                           std::to_string(bomb.size()) + "\r\n\r\n"));
  send_all(fd, bomb);  // ignored: the server may close before taking it all
  auto answer = read_answer(fd);
  ::close(fd);
  EXPECT_TRUE(answer.starts_with("HTTP/1.1 415")) << answer.substr(0, 200);
  EXPECT_NE(answer.find("unsupported_encoding"), std::string::npos);
  EXPECT_LT(rss_kib() - before, 8 * 1024);
}

TEST_F(HttpEdgeTest, AHeaderLineOfAMebibyteIsRefused) {
  auto before = rss_kib();
  int fd = connect_client();
  send_all(fd, "GET /v1/health HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(1 << 20, 'a') +
                   "\r\n\r\n");  // ignored: the server may close before taking it all
  auto answer = read_answer(fd);
  ::close(fd);
  EXPECT_TRUE(answer.starts_with("HTTP/1.1 431")) << answer.substr(0, 200);
  EXPECT_LT(rss_kib() - before, 8 * 1024);
}

TEST_F(HttpEdgeTest, AThousandIdleKeepAliveConnectionsDoNotStarveOthers) {
  std::vector<int> idle;
  for (int i = 0; i < 1000; ++i) {
    int fd = connect_client();
    ASSERT_TRUE(send_all(fd, "GET /v1/health HTTP/1.1\r\nHost: x\r\n\r\n"));
    ASSERT_NE(read_answer(fd).find("200 OK"), std::string::npos);
    idle.push_back(fd);  // kept open and silent
  }
  // With a worker per connection (cpp-httplib), this request waited for an idle one to time out.
  auto started = std::chrono::steady_clock::now();
  int fd = connect_client();
  ASSERT_TRUE(send_all(fd, "GET /v1/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
  auto answer = read_answer(fd);
  auto took = std::chrono::steady_clock::now() - started;
  ::close(fd);
  EXPECT_TRUE(answer.starts_with("HTTP/1.1 200")) << answer;
  // The latency goes to the note (bench/portal.sh measures it under load); the test asserts
  // only that the answer did not wait for an idle connection's timeout.
  EXPECT_LT(took, std::chrono::seconds{5});
  std::printf("health with 1000 idle keep-alive connections: %.1f ms\n",
              std::chrono::duration<double, std::milli>(took).count());
  for (int f : idle)
    ::close(f);
}

}  // namespace
}  // namespace ivrcast::connectors::http
