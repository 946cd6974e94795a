#include "bench/raw_smpp.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

#include "config/load.hpp"
#include "messages/errc.hpp"

namespace ivrcast::bench {

namespace smpp = connectors::smpp;

caf::expected<std::unique_ptr<raw_smpp_peer>> raw_smpp_peer::connect(
    const config::carrier_settings& c) {
  std::string host;
  int port = 0;
  if (!config::host_port(c.smsc, host, port))
    return caf::make_error(errc::bad_input, "raw_smpp", "not host:port: " + c.smsc);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  inet_pton(AF_INET, host.c_str(), &addr.sin_addr);
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0)
    return caf::make_error(errc::io_failure, "raw_smpp", "socket");
  std::unique_ptr<raw_smpp_peer> out{new raw_smpp_peer(fd)};
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0)
    return caf::make_error(errc::io_failure, "raw_smpp", "connect " + c.smsc);
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  smpp::pdu bind;
  bind.command_id = smpp::cmd::bind_transceiver;
  bind.sequence = 1;
  bind.bind.system_id = c.system_id;
  bind.bind.password = c.password;
  smpp::encode(bind, out->out_);
  return out;
}

raw_smpp_peer::raw_smpp_peer(int fd) : fd_(fd) {
  submit_.command_id = smpp::cmd::submit_sm;
  submit_.sm.source_addr = "0312345678";
  submit_.sm.registered_delivery = 1;
  submit_.sm.data_coding = 8;
  for (char16_t ch : std::u16string_view{u"ご予約を承りました。ご来店をお待ちしております。"}) {
    submit_.sm.short_message.push_back(static_cast<char>(ch >> 8));
    submit_.sm.short_message.push_back(static_cast<char>(ch & 0xFF));
  }
  receipt_resp_.command_id = smpp::cmd::deliver_sm | smpp::cmd::resp_bit;
}

raw_smpp_peer::~raw_smpp_peer() {
  ::close(fd_);
}

uint32_t raw_smpp_peer::submit(std::string_view destination) {
  submit_.sequence = next_sequence_++;
  submit_.sm.destination_addr.assign(destination);
  smpp::encode(submit_, out_);
  return submit_.sequence;
}

caf::expected<void> raw_smpp_peer::send(bool wait) {
  size_t done = 0;
  while (done < out_.size()) {
    auto n = ::send(fd_, out_.data() + done, out_.size() - done,
                    MSG_NOSIGNAL | (wait ? 0 : MSG_DONTWAIT));
    if (n < 0 && !wait && (errno == EAGAIN || errno == EWOULDBLOCK))
      break;
    if (n <= 0)
      return caf::make_error(errc::io_failure, "raw_smpp", "send");
    done += static_cast<size_t>(n);
  }
  out_.erase(0, done);
  return {};
}

caf::expected<void> raw_smpp_peer::receive(bool wait, std::vector<uint32_t>& accepted,
                                           int& receipts) {
  char buf[65536];
  auto n = ::recv(fd_, buf, sizeof buf, wait ? 0 : MSG_DONTWAIT);
  if (n < 0 && !wait && (errno == EAGAIN || errno == EWOULDBLOCK))
    return {};
  if (n <= 0)
    return caf::make_error(errc::io_failure, "raw_smpp", "recv");
  in_.append(buf, static_cast<size_t>(n));
  size_t at = 0;
  for (;;) {
    auto size = smpp::frame_size(std::string_view{in_}.substr(at));
    if (!size)
      return std::move(size.error());
    if (*size == 0 || in_.size() - at < *size)
      break;
    auto p = smpp::decode(std::string_view{in_}.substr(at, *size));
    at += *size;
    if (!p)
      return std::move(p.error());
    if (p->command_id == (smpp::cmd::bind_transceiver | smpp::cmd::resp_bit)) {
      bound_ = p->command_status == smpp::status::ok;
      if (!bound_)
        return caf::make_error(errc::io_failure, "raw_smpp", "bind refused");
    } else if (p->command_id == (smpp::cmd::submit_sm | smpp::cmd::resp_bit)) {
      if (p->command_status != smpp::status::ok)
        return caf::make_error(errc::io_failure, "raw_smpp", "submit refused");
      accepted.push_back(p->sequence);
    } else if (p->command_id == smpp::cmd::deliver_sm) {
      receipt_resp_.sequence = p->sequence;
      smpp::encode(receipt_resp_, out_);
      ++receipts;
    }
  }
  in_.erase(0, at);
  return {};
}

}  // namespace ivrcast::bench
