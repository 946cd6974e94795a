// Our SMPP client against an SMSC we did not write: tests/smpp/netsmpp_smsc.pl (Net::SMPP).
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <mutex>
#include <thread>

#include "connectors/smpp/receipt.hpp"
#include "connectors/smpp/session.hpp"
#include "connectors/smpp/submit.hpp"
#include "tests/support/perl_smsc.hpp"
#include "tests/support/test_support.hpp"

namespace ivrcast::connectors::smpp {
namespace {

using test::perl_smsc;

struct recorder final : session_handler {
  std::mutex mtx;
  int binds = 0;
  int unbinds = 0;
  std::vector<std::pair<uint32_t, std::string>> resps;  // sequence, message id
  std::vector<receipt> receipts;
  session* s = nullptr;

  void bound(int) override {
    std::lock_guard<std::mutex> guard{mtx};
    ++binds;
  }
  void unbound(int, std::string_view why) override {
    std::lock_guard<std::mutex> guard{mtx};
    ++unbinds;
    last_why = why;
  }
  std::string last_why;
  void submit_resp(int, uint32_t seq, uint32_t status, std::string_view id) override {
    std::lock_guard<std::mutex> guard{mtx};
    if (status == status::ok)
      resps.emplace_back(seq, std::string{id});
  }
  void deliver(int, uint32_t seq, const sm_body& sm) override {
    auto r = parse_receipt(sm);
    {
      std::lock_guard<std::mutex> guard{mtx};
      if (r)
        receipts.push_back(*r);
    }
    s->ack_deliver(seq, status::ok);
  }
  template <class F>
  auto with(F f) {
    std::lock_guard<std::mutex> guard{mtx};
    return f();
  }
};

TEST(SmppInteropTest, AConnectNobodyAnswersIsGivenUpAfterTheResponseTimeout) {
  // A listener whose accept queue is full drops every SYN: a plain connect() would wait minutes.
  int listener = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(::listen(listener, 0), 0);
  socklen_t len = sizeof addr;
  ::getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &len);
  std::vector<int> fillers;
  for (int i = 0; i < 4; ++i) {
    int f = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    (void)::connect(f, reinterpret_cast<sockaddr*>(&addr), sizeof addr);  // ignored: filling
    fillers.push_back(f);
  }
  recorder rec;
  session_settings ss;
  ss.port = ntohs(addr.sin_port);
  ss.system_id = "ivrcast";
  ss.response_timeout_ms = 300;
  ss.reconnect_min_ms = 50;
  session s{ss, 0, rec};
  rec.s = &s;
  s.start();
  EXPECT_TRUE(test::eventually(
      [&] {
        return rec.with(
            [&] { return rec.last_why.find("no answer within 300 ms") != std::string::npos; });
      },
      std::chrono::seconds{10}))
      << rec.with([&] { return rec.last_why; });
  s.stop();
  for (int f : fillers)
    ::close(f);
  ::close(listener);
}

TEST(SmppInteropTest, BindsSubmitsTakesReceiptsSurvivesADropAndUnbinds) {
  perl_smsc smsc{"netsmpp_smsc.pl"};
  ASSERT_TRUE(test::eventually([&] { return smsc.port() != 0; }, std::chrono::seconds{20}));
  recorder rec;
  session_settings ss;
  ss.port = smsc.port();
  ss.system_id = "ivrcast";
  ss.password = "pw";
  ss.reconnect_min_ms = 50;
  session s{ss, 0, rec};
  rec.s = &s;
  s.start();
  ASSERT_TRUE(test::eventually([&] { return s.bound(); }));
  auto submit = [&](const char* dest, std::u16string_view text, part_position pos) {
    uint32_t seq = 0;
    EXPECT_TRUE(test::eventually([&] {
      seq = s.submit(make_submit("0312345678", dest, text, pos, false));
      return seq != 0;
    }));
    return seq;
  };
  submit("09011110001", u"ご予約を承りました", {0, 1, 0});
  submit("09011110002", std::u16string(67, u'あ'), {0, 2, 9});
  ASSERT_TRUE(test::eventually([&] { return rec.with([&] { return rec.resps.size() == 2; }); }));
  submit("09011110003", u"三通目", {0, 1, 0});  // the SMSC drops the line instead of answering
  ASSERT_TRUE(test::eventually([&] { return rec.with([&] { return rec.unbinds >= 1; }); }));
  ASSERT_TRUE(test::eventually([&] { return rec.with([&] { return rec.binds >= 2; }); }));
  submit("09011110004", u"再接続後", {0, 1, 0});
  // Four receipts: three answered submits and the dropped one's, sent after the rebind.
  ASSERT_TRUE(test::eventually([&] { return rec.with([&] { return rec.receipts.size() == 4; }); }));
  ASSERT_TRUE(test::eventually([&] { return smsc.count("RECEIPT_ACK status=0") == 4; }));
  rec.with([&] {
    EXPECT_EQ(rec.resps.size(), 3u);
    EXPECT_EQ(rec.resps[0].second, "NS00001");
    std::vector<std::string> ids;
    for (const auto& r : rec.receipts) {
      EXPECT_EQ(r.state, sms::receipt_state::delivered);
      ids.push_back(normalise_message_id(r.message_id, id_format::text));
    }
    std::sort(ids.begin(), ids.end());
    EXPECT_EQ(ids, (std::vector<std::string>{"ns00001", "ns00002", "ns00003", "ns00004"}));
    EXPECT_EQ(rec.receipts[0].handset, "09011110001");
  });
  EXPECT_EQ(smsc.count("SUBMIT "), 4);
  s.stop();
  ASSERT_TRUE(test::eventually([&] { return smsc.count("UNBIND") == 1; }));
}

}  // namespace
}  // namespace ivrcast::connectors::smpp
