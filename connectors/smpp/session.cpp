#include "connectors/smpp/session.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <random>

#include "connectors/log.hpp"
#include "messages/errc.hpp"

namespace ivrcast::connectors::smpp {
namespace {

using clock_type = std::chrono::steady_clock;

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(clock_type::now().time_since_epoch())
      .count();
}

}  // namespace

session::session(session_settings s, int index, session_handler& h)
    : settings_(std::move(s)), index_(index), handler_(&h) {
  wake_fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
}

session::~session() {
  stop();
  if (wake_fd_ >= 0)
    ::close(wake_fd_);
}

void session::start() {
  if (thread_.joinable() && !stop_.load())
    return;  // running
  if (thread_.joinable())
    thread_.join();
  // A stopped session starts afresh: nothing queued for the old connection goes on the new.
  uint64_t pending = 0;
  (void)!::read(wake_fd_, &pending, sizeof pending);  // ignored: EAGAIN when nothing is pending
  {
    std::lock_guard<std::mutex> guard{out_mtx_};
    out_.clear();
  }
  sending_.clear();
  in_.clear();
  stop_ = false;
  thread_ = std::thread{[this] { run(); }};
}

void session::stop() {
  if (stop_.exchange(true)) {
    if (thread_.joinable())
      thread_.join();
    return;
  }
  uint64_t one = 1;
  (void)!::write(wake_fd_, &one, sizeof one);  // ignored: the poll timeout wakes us anyway
  if (thread_.joinable())
    thread_.join();
}

uint32_t session::next_sequence() {
  // Sequence numbers run 1 .. 0x7FFFFFFF (§5.1.4) and wrap.
  auto v = sequence_.fetch_add(1) % 0x7FFFFFFFu;
  return v + 1;
}

void session::queue(const pdu& p) {
  {
    std::lock_guard<std::mutex> guard{out_mtx_};
    encode(p, out_);
  }
  uint64_t one = 1;
  (void)!::write(wake_fd_, &one, sizeof one);  // ignored: a full counter still wakes the poll
}

uint32_t session::submit(const sm_body& sm) {
  if (!bound_.load())
    return 0;
  pdu p;
  p.command_id = cmd::submit_sm;
  p.sequence = next_sequence();
  p.sm = sm;
  queue(p);
  return p.sequence;
}

void session::ack_deliver(uint32_t sequence, uint32_t st) {
  pdu p;
  p.command_id = cmd::deliver_sm | cmd::resp_bit;
  p.command_status = st;
  p.sequence = sequence;
  queue(p);
}

void session::close_socket() {
  if (fd_ >= 0)
    ::close(fd_);
  fd_ = -1;
  in_.clear();
  sending_.clear();
  std::lock_guard<std::mutex> guard{out_mtx_};
  out_.clear();
}

int session::jittered(int backoff_ms) {
  thread_local std::mt19937 rng{std::random_device{}()};
  std::uniform_int_distribution<int> extra{0, std::max(0, backoff_ms / 2)};
  return backoff_ms - backoff_ms / 2 + extra(rng);
}

void session::run() {
  int backoff = settings_.reconnect_min_ms;
  while (!stop_.load()) {
    std::string why;
    if (connect_and_bind(why)) {
      backoff = settings_.reconnect_min_ms;
      bound_ = true;
      logger().info("event=smpp_bound host={} port={} system_id={} session={}", settings_.host,
                    settings_.port, settings_.system_id, index_);
      handler_->bound(index_);
      serve(why);
      bound_ = false;
    }
    close_socket();
    handler_->unbound(index_, why);
    if (stop_.load())
      break;
    logger().warn("event=smpp_unbound host={} port={} session={} reason=\"{}\" retry_ms={}",
                  settings_.host, settings_.port, index_, why, backoff);
    // Wait out the backoff with jitter (half of it, plus up to half at random), so sessions
    // and nodes cut off together do not all come back in the same instant; waking on stop.
    pollfd pf{wake_fd_, POLLIN, 0};
    auto deadline = now_ms() + jittered(backoff);
    while (!stop_.load() && now_ms() < deadline) {
      ::poll(&pf, 1, static_cast<int>(std::max<int64_t>(1, deadline - now_ms())));
      uint64_t drained = 0;
      (void)!::read(wake_fd_, &drained, sizeof drained);  // ignored: just clearing the wake-up
    }
    backoff = std::min(backoff * 2, settings_.reconnect_max_ms);
  }
}

/// connect() bounded by the response timeout (an SMSC that drops SYNs would hold the session
/// for minutes), woken by stop().
bool session::connect_in_time(const sockaddr* addr, socklen_t len, std::string& why) {
  auto flags = ::fcntl(fd_, F_GETFL, 0);
  ::fcntl(fd_, F_SETFL, flags | O_NONBLOCK);
  if (::connect(fd_, addr, len) != 0) {
    if (errno != EINPROGRESS) {
      why = std::string{"connect: "} + std::strerror(errno);
      return false;
    }
    auto deadline = now_ms() + settings_.response_timeout_ms;
    while (true) {
      if (stop_.load()) {
        why = "stopped while connecting";
        return false;
      }
      auto left = deadline - now_ms();
      if (left <= 0) {
        why = "connect: no answer within " + std::to_string(settings_.response_timeout_ms) + " ms";
        return false;
      }
      pollfd pf{fd_, POLLOUT, 0};
      if (::poll(&pf, 1, static_cast<int>(std::min<int64_t>(left, 100))) > 0)
        break;
    }
    int err = 0;
    socklen_t err_len = sizeof err;
    ::getsockopt(fd_, SOL_SOCKET, SO_ERROR, &err, &err_len);
    if (err != 0) {
      why = std::string{"connect: "} + std::strerror(err);
      return false;
    }
  }
  ::fcntl(fd_, F_SETFL, flags);
  return true;
}

bool session::connect_and_bind(std::string& why) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  auto port = std::to_string(settings_.port);
  if (int rc = getaddrinfo(settings_.host.c_str(), port.c_str(), &hints, &res); rc != 0) {
    why = std::string{"resolve: "} + gai_strerror(rc);
    return false;
  }
  for (auto* ai = res; ai && fd_ < 0; ai = ai->ai_next) {
    fd_ = ::socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
    if (fd_ < 0)
      continue;
    if (!connect_in_time(ai->ai_addr, ai->ai_addrlen, why)) {
      ::close(fd_);
      fd_ = -1;
    }
  }
  freeaddrinfo(res);
  if (fd_ < 0)
    return false;
  int one = 1;
  ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  pdu bind;
  bind.command_id = cmd::bind_transceiver;
  bind.sequence = next_sequence();
  bind.bind.system_id = settings_.system_id;
  bind.bind.password = settings_.password;
  bind.bind.system_type = settings_.system_type;
  std::string wire;
  encode(bind, wire);
  if (::send(fd_, wire.data(), wire.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(wire.size())) {
    why = std::string{"send bind: "} + std::strerror(errno);
    return false;
  }
  auto deadline = now_ms() + settings_.response_timeout_ms;
  char buf[4096];
  while (!stop_.load()) {
    auto left = deadline - now_ms();
    if (left <= 0) {
      why = "no bind_transceiver_resp in time";
      return false;
    }
    pollfd pf{fd_, POLLIN, 0};
    if (::poll(&pf, 1, static_cast<int>(std::min<int64_t>(left, 100))) <= 0)
      continue;
    auto n = ::recv(fd_, buf, sizeof buf, 0);
    if (n <= 0) {
      why =
          n == 0 ? "closed by the SMSC during bind" : std::string{"recv: "} + std::strerror(errno);
      return false;
    }
    in_.append(buf, static_cast<size_t>(n));
    auto size = frame_size(in_);
    if (!size) {
      why = describe(size.error());
      return false;
    }
    if (*size == 0 || in_.size() < *size)
      continue;
    auto resp = decode(std::string_view{in_}.substr(0, *size));
    in_.erase(0, *size);
    if (!resp) {
      why = "bind answer refused: " + describe(resp.error());
      return false;
    }
    if (resp->command_id != (cmd::bind_transceiver | cmd::resp_bit)) {
      why = "expected bind_transceiver_resp, got " + std::string{command_name(resp->command_id)};
      return false;
    }
    if (resp->command_status != status::ok) {
      why = "bind refused with status " + std::to_string(resp->command_status);
      return false;
    }
    return true;
  }
  why = "stopping";
  return false;
}

bool session::flush(std::string& why) {
  if (sending_.empty()) {
    std::lock_guard<std::mutex> guard{out_mtx_};
    sending_.swap(out_);
  }
  while (!sending_.empty()) {
    auto n = ::send(fd_, sending_.data(), sending_.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK)
        return true;  // the poll waits for POLLOUT
      why = std::string{"send: "} + std::strerror(errno);
      return false;
    }
    sending_.erase(0, static_cast<size_t>(n));
    if (sending_.empty()) {
      std::lock_guard<std::mutex> guard{out_mtx_};
      sending_.swap(out_);
    }
  }
  return true;
}

void session::handle(const pdu& p, std::string& why, bool& closing) {
  switch (p.command_id) {
    case cmd::submit_sm | cmd::resp_bit:
      handler_->submit_resp(index_, p.sequence, p.command_status, p.id);
      break;
    case cmd::generic_nack:
      // A nack of one of our submits fails that submit; other nacks only get logged.
      logger().warn("event=smpp_generic_nack session={} sequence={} status={}", index_, p.sequence,
                    p.command_status);
      handler_->submit_resp(index_, p.sequence,
                            p.command_status ? p.command_status : status::system_error, {});
      break;
    case cmd::deliver_sm:
      handler_->deliver(index_, p.sequence, p.sm);
      break;
    case cmd::enquire_link: {
      pdu r;
      r.command_id = cmd::enquire_link | cmd::resp_bit;
      r.sequence = p.sequence;
      queue(r);
      break;
    }
    case cmd::enquire_link | cmd::resp_bit:
    case cmd::deliver_sm | cmd::resp_bit:
      break;
    case cmd::unbind: {
      pdu r;
      r.command_id = cmd::unbind | cmd::resp_bit;
      r.sequence = p.sequence;
      queue(r);
      why = "the SMSC unbound";
      closing = true;
      break;
    }
    case cmd::unbind | cmd::resp_bit:
      closing = true;
      why = "unbound";
      break;
    default: {
      pdu r;
      r.command_id = cmd::generic_nack;
      r.command_status = status::invalid_command_id;
      r.sequence = p.sequence;
      queue(r);
      break;
    }
  }
}

bool session::serve(std::string& why) {
  auto last_activity = now_ms();
  int64_t enquire_sent = 0;
  int64_t unbind_sent = 0;
  char buf[65536];
  while (true) {
    if (stop_.load() && unbind_sent == 0) {
      pdu u;
      u.command_id = cmd::unbind;
      u.sequence = next_sequence();
      bound_ = false;
      queue(u);
      unbind_sent = now_ms();
    }
    if (unbind_sent && now_ms() - unbind_sent > 1000) {
      why = "stopped (no unbind_resp within 1 s)";
      return true;
    }
    if (!flush(why))
      return false;
    pollfd pf[2] = {{fd_, static_cast<short>(POLLIN | (sending_.empty() ? 0 : POLLOUT)), 0},
                    {wake_fd_, POLLIN, 0}};
    int rc = ::poll(pf, 2, 100);
    if (rc < 0 && errno != EINTR) {
      why = std::string{"poll: "} + std::strerror(errno);
      return false;
    }
    if (pf[1].revents & POLLIN) {
      uint64_t drained = 0;
      (void)!::read(wake_fd_, &drained, sizeof drained);  // ignored: only clears the wake-up
    }
    if (pf[0].revents & (POLLIN | POLLHUP | POLLERR)) {
      auto n = ::recv(fd_, buf, sizeof buf, MSG_DONTWAIT);
      if (n == 0) {
        why = "closed by the SMSC";
        return false;
      }
      if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
        why = std::string{"recv: "} + std::strerror(errno);
        return false;
      }
      if (n > 0) {
        last_activity = now_ms();
        enquire_sent = 0;
        in_.append(buf, static_cast<size_t>(n));
      }
      size_t used = 0;
      while (true) {
        std::string_view rest = std::string_view{in_}.substr(used);
        auto size = frame_size(rest);
        if (!size) {
          why = "unreadable stream: " + describe(size.error());
          return false;
        }
        if (*size == 0 || rest.size() < *size)
          break;
        pdu header;
        auto p = decode(rest.substr(0, *size), &header);
        used += *size;
        if (!p) {
          logger().warn("event=smpp_pdu_refused session={} sequence={} reason=\"{}\"", index_,
                        header.sequence, describe(p.error()));
          pdu nack;
          nack.command_id = cmd::generic_nack;
          nack.command_status = status::invalid_command_length;
          nack.sequence = header.sequence;
          queue(nack);
          continue;
        }
        bool closing = false;
        handle(*p, why, closing);
        if (closing) {
          flush(why);  // best effort: the unbind_resp
          return unbind_sent != 0;
        }
      }
      in_.erase(0, used);
    }
    auto idle = now_ms() - last_activity;
    if (enquire_sent && now_ms() - enquire_sent > settings_.response_timeout_ms) {
      why = "no enquire_link_resp in time";
      return false;
    }
    if (!enquire_sent && !unbind_sent && idle > settings_.enquire_link_ms) {
      pdu e;
      e.command_id = cmd::enquire_link;
      e.sequence = next_sequence();
      queue(e);
      enquire_sent = now_ms();
    }
  }
}

}  // namespace ivrcast::connectors::smpp
