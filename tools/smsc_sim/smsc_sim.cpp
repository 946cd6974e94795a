#include "tools/smsc_sim/smsc_sim.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <ctime>
#include <map>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <unordered_set>

#include <spdlog/spdlog.h>

#include "connectors/smpp/pdu.hpp"
#include "messages/clock.hpp"
#include "messages/errc.hpp"
#include "messages/hash.hpp"
#include "sms/carrier.hpp"

namespace ivrcast::tools {
namespace {

namespace smpp = connectors::smpp;

std::string format_id(uint64_t id, smpp::id_format f) {
  char tmp[32];
  if (f == smpp::id_format::hex)
    std::snprintf(tmp, sizeof tmp, "%010llX", static_cast<unsigned long long>(id));
  else if (f == smpp::id_format::decimal)
    std::snprintf(tmp, sizeof tmp, "%llu", static_cast<unsigned long long>(id));
  else
    std::snprintf(tmp, sizeof tmp, "sim%llu", static_cast<unsigned long long>(id));
  return tmp;
}

std::string jst_stamp(int64_t ms) {
  auto t = static_cast<time_t>(ms / 1000 + 9 * 3600);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char tmp[16];
  std::strftime(tmp, sizeof tmp, "%y%m%d%H%M%S", &tm);
  return tmp;
}

struct pending_receipt {
  int64_t due_ms = 0;
  std::string system_id;
  uint64_t id = 0;
  std::string handset;
  std::string sender;
  sim_outcome outcome = sim_outcome::delivered;
  bool intermediate = false;  // the ENROUTE receipt before the final one
  int64_t submitted_ms = 0;
};

struct connection {
  int fd = -1;
  std::mutex write_mtx;
  std::string system_id;
  bool bound = false;
  bool receives = false;
  std::atomic<bool> closed{false};
  uint32_t next_seq = 1;
  std::map<uint32_t, pending_receipt> unacked;  // guarded by impl::mtx
  std::thread thread;

  void write(const smpp::pdu& p) {
    std::string wire;
    smpp::encode(p, wire);
    std::lock_guard<std::mutex> guard{write_mtx};
    size_t off = 0;
    while (off < wire.size() && !closed.load()) {
      auto n = ::send(fd, wire.data() + off, wire.size() - off, MSG_NOSIGNAL);
      if (n <= 0)
        return;  // the reader notices the dead socket
      off += static_cast<size_t>(n);
    }
  }
};

}  // namespace

sim_mix sim_mix::parse(std::string_view mix) {
  static constexpr std::pair<std::string_view, sim_outcome> names[] = {
      {"delivered", sim_outcome::delivered}, {"undeliverable", sim_outcome::undeliverable},
      {"expired", sim_outcome::expired},     {"rejected", sim_outcome::rejected},
      {"retry", sim_outcome::retry},         {"enroute", sim_outcome::enroute},
  };
  sim_mix out;
  while (!mix.empty()) {
    auto comma = mix.find(',');
    auto item = mix.substr(0, comma);
    mix.remove_prefix(comma == std::string_view::npos ? mix.size() : comma + 1);
    auto eq = item.find('=');
    if (eq == std::string_view::npos)
      continue;
    auto name = item.substr(0, eq);
    uint64_t w = std::strtoull(std::string{item.substr(eq + 1)}.c_str(), nullptr, 10);
    for (const auto& [n, o] : names)
      if (n == name && w > 0) {
        out.weights_.emplace_back(o, w);
        out.total_ += w;
      }
  }
  return out;
}

sim_outcome sim_mix::pick(std::string_view destination, int part_index) const {
  if (total_ == 0)
    return sim_outcome::delivered;
  auto h = fnv1a(destination, fnv1a(std::to_string(part_index))) % total_;
  for (const auto& [o, w] : weights_) {
    if (h < w)
      return o;
    h -= w;
  }
  return sim_outcome::delivered;
}

struct smsc_sim::impl {
  smsc_sim_options opts;
  sim_mix mix;  // parsed once: submits are the hot path
  int listen_fd = -1;
  uint16_t port = 0;
  std::atomic<bool> stopping{false};
  std::atomic<bool> stalled{false};
  std::atomic<int> throttle_every{0};
  std::atomic<bool> drop_next{false};
  std::thread acceptor;
  std::thread dispatcher;
  mutable std::mutex mtx;
  std::condition_variable cv;
  std::vector<std::shared_ptr<connection>> conns;
  std::multimap<int64_t, pending_receipt> due;
  std::unordered_set<uint64_t> seen;
  std::unordered_map<std::string, size_t> per_destination;
  stats counts;
  uint64_t next_id = 0x1000;
  uint64_t submit_counter = 0;
  size_t round_robin = 0;

  void accept_loop() {
    while (!stopping.load()) {
      pollfd pf{listen_fd, POLLIN, 0};
      if (::poll(&pf, 1, 100) <= 0)
        continue;
      int fd = ::accept4(listen_fd, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0)
        continue;
      int one = 1;
      ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      auto c = std::make_shared<connection>();
      c->fd = fd;
      std::lock_guard<std::mutex> guard{mtx};
      conns.push_back(c);
      c->thread = std::thread{[this, c] { serve(c); }};
    }
  }

  void close_conn(const std::shared_ptr<connection>& c) {
    if (c->closed.exchange(true))
      return;
    ::shutdown(c->fd, SHUT_RDWR);
    std::lock_guard<std::mutex> guard{mtx};
    // Receipts it never acknowledged go out again on the next bind, as a real SMSC does.
    for (auto& [seq, r] : c->unacked)
      due.emplace(unix_now_ms(), std::move(r));
    c->unacked.clear();
    c->bound = false;
    c->receives = false;
  }

  void serve(std::shared_ptr<connection> c) {
    std::string in;
    char buf[65536];
    while (!stopping.load() && !c->closed.load()) {
      if (stalled.load()) {
        pollfd pf{c->fd, 0, 0};
        ::poll(&pf, 1, 20);  // not reading: the client's submits pile up in TCP buffers
        continue;
      }
      pollfd pf{c->fd, POLLIN, 0};
      if (::poll(&pf, 1, 100) <= 0)
        continue;
      auto n = ::recv(c->fd, buf, sizeof buf, 0);
      if (n <= 0)
        break;
      in.append(buf, static_cast<size_t>(n));
      size_t used = 0;
      while (!c->closed.load()) {
        std::string_view rest = std::string_view{in}.substr(used);
        auto size = smpp::frame_size(rest);
        if (!size) {
          close_conn(c);
          break;
        }
        if (*size == 0 || rest.size() < *size)
          break;
        smpp::pdu header;
        auto p = smpp::decode(rest.substr(0, *size), &header);
        used += *size;
        if (!p) {
          {
            std::lock_guard<std::mutex> guard{mtx};
            ++counts.malformed;
          }
          smpp::pdu nack;
          nack.command_id = smpp::cmd::generic_nack;
          nack.command_status = smpp::status::invalid_command_length;
          nack.sequence = header.sequence;
          c->write(nack);
          continue;
        }
        handle(c, *p);
      }
      if (used > 0 && used <= in.size())
        in.erase(0, used);
    }
    close_conn(c);
  }

  void handle(const std::shared_ptr<connection>& c, const smpp::pdu& p) {
    smpp::pdu r;
    r.sequence = p.sequence;
    switch (p.command_id) {
      case smpp::cmd::bind_transceiver:
      case smpp::cmd::bind_transmitter:
      case smpp::cmd::bind_receiver: {
        r.command_id = p.command_id | smpp::cmd::resp_bit;
        r.id = "ivrcast-sim";
        if (!opts.password.empty() && p.bind.password != opts.password) {
          r.command_status = smpp::status::invalid_password;
        } else {
          std::lock_guard<std::mutex> guard{mtx};
          c->system_id = p.bind.system_id;
          c->bound = true;
          c->receives = p.command_id != smpp::cmd::bind_transmitter;
          ++counts.binds;
        }
        c->write(r);
        cv.notify_all();
        return;
      }
      case smpp::cmd::submit_sm:
        submit(c, p);
        return;
      case smpp::cmd::deliver_sm | smpp::cmd::resp_bit: {
        std::lock_guard<std::mutex> guard{mtx};
        if (auto it = c->unacked.find(p.sequence); it != c->unacked.end()) {
          if (p.command_status == smpp::status::ok) {
            ++counts.receipts_acked;
          } else {
            due.emplace(unix_now_ms() + 100, std::move(it->second));  // refused: try again
          }
          c->unacked.erase(it);
        }
        return;
      }
      case smpp::cmd::enquire_link:
        r.command_id = smpp::cmd::enquire_link | smpp::cmd::resp_bit;
        c->write(r);
        return;
      case smpp::cmd::unbind:
        r.command_id = smpp::cmd::unbind | smpp::cmd::resp_bit;
        c->write(r);
        close_conn(c);
        return;
      case smpp::cmd::enquire_link | smpp::cmd::resp_bit:
      case smpp::cmd::generic_nack:
        return;
      default:
        r.command_id = smpp::cmd::generic_nack;
        r.command_status = smpp::status::invalid_command_id;
        c->write(r);
        return;
    }
  }

  void submit(const std::shared_ptr<connection>& c, const smpp::pdu& p) {
    smpp::pdu r;
    r.command_id = smpp::cmd::submit_sm | smpp::cmd::resp_bit;
    r.sequence = p.sequence;
    bool drop = false;
    {
      std::lock_guard<std::mutex> guard{mtx};
      ++submit_counter;
      if (!c->bound) {
        r.command_status = smpp::status::incorrect_bind_status;
      } else if (int every = throttle_every.load(); every > 0 && submit_counter % every == 0) {
        r.command_status = smpp::status::throttled;
        ++counts.throttled;
      } else {
        auto id = next_id++;
        r.id = format_id(id, opts.resp_ids);
        ++counts.submits;
        const auto& sm = p.sm;
        std::string_view bytes = sm.short_message;
        if (auto* t = sm.find(smpp::tag::message_payload))
          bytes = t->value;
        if (!seen.insert(fnv1a(bytes, fnv1a(sm.destination_addr))).second)
          ++counts.duplicates;
        ++per_destination[sm.destination_addr];
        int part = (sm.esm_class & 0x40) && sm.short_message.size() >= 6
                       ? static_cast<unsigned char>(sm.short_message[5]) - 1
                       : 0;
        pending_receipt pr;
        pr.system_id = c->system_id;
        pr.id = id;
        pr.handset = sm.destination_addr;
        pr.sender = sm.source_addr;
        pr.submitted_ms = unix_now_ms();
        pr.outcome = mix.pick(sm.destination_addr, part);
        pr.due_ms = pr.submitted_ms + opts.receipt_delay_ms;
        if (pr.outcome == sim_outcome::enroute) {
          auto first = pr;
          first.intermediate = true;
          due.emplace(first.due_ms, std::move(first));
          pr.due_ms += opts.receipt_delay_ms;
        }
        due.emplace(pr.due_ms, std::move(pr));
        drop = drop_next.exchange(false);
      }
    }
    cv.notify_all();
    if (drop) {
      close_conn(c);  // accepted, never answered: the client is left in doubt
      return;
    }
    c->write(r);
  }

  smpp::pdu receipt_pdu(const pending_receipt& pr, uint32_t seq) const {
    const char* stat = "DELIVRD";
    const char* err = "000";
    uint8_t state = 2;
    switch (pr.intermediate ? sim_outcome::enroute : pr.outcome) {
      case sim_outcome::enroute:
        if (pr.intermediate) {
          stat = "ENROUTE";
          state = 1;
        }
        break;
      case sim_outcome::delivered:
        break;
      case sim_outcome::undeliverable:
        stat = "UNDELIV";
        err = "001";
        state = 5;
        break;
      case sim_outcome::expired:
        stat = "EXPIRED";
        err = "002";
        state = 3;
        break;
      case sim_outcome::rejected:
        stat = "REJECTD";
        err = "003";
        state = 8;
        break;
      case sim_outcome::retry:
        stat = "UNDELIV";
        err = "006";
        state = 5;
        break;
    }
    auto id = format_id(pr.id, opts.receipt_ids);
    smpp::pdu p;
    p.command_id = smpp::cmd::deliver_sm;
    p.sequence = seq;
    p.sm.source_addr = pr.handset;
    p.sm.destination_addr = pr.sender;
    p.sm.esm_class = 0x04;
    p.sm.short_message = "id:" + id + " sub:001 dlvrd:" + (state == 2 ? "001" : "000") +
                         " submit date:" + jst_stamp(pr.submitted_ms) +
                         " done date:" + jst_stamp(unix_now_ms()) + " stat:" + stat +
                         " err:" + err + " text:";
    if (opts.receipt_tlvs) {
      p.sm.tlvs.push_back({smpp::tag::receipted_message_id, id + std::string(1, '\0')});
      p.sm.tlvs.push_back({smpp::tag::message_state, std::string(1, static_cast<char>(state))});
    }
    return p;
  }

  void dispatch_loop() {
    std::unique_lock<std::mutex> lock{mtx};
    while (!stopping.load()) {
      cv.wait_for(lock, std::chrono::milliseconds{5});
      auto now = unix_now_ms();
      std::vector<std::pair<std::shared_ptr<connection>, smpp::pdu>> out;
      for (auto it = due.begin(); it != due.end() && it->first <= now;) {
        std::shared_ptr<connection> target;
        for (size_t k = 0; k < conns.size() && !target; ++k) {
          auto& c = conns[(round_robin + k) % conns.size()];
          if (c->receives && !c->closed.load() && c->system_id == it->second.system_id)
            target = c;
        }
        if (!target) {
          ++it;  // nobody bound for it yet: it waits
          continue;
        }
        ++round_robin;
        auto seq = target->next_seq++;
        out.emplace_back(target, receipt_pdu(it->second, seq));
        target->unacked.emplace(seq, std::move(it->second));
        ++counts.receipts_sent;
        it = due.erase(it);
      }
      lock.unlock();
      for (auto& [c, p] : out)
        c->write(p);
      lock.lock();
    }
  }
};

caf::expected<std::unique_ptr<smsc_sim>> smsc_sim::start(smsc_sim_options o) {
  auto p = std::make_unique<impl>();
  p->opts = std::move(o);
  p->mix = sim_mix::parse(p->opts.outcome_mix);
  p->throttle_every = p->opts.throttle_every;
  p->listen_fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int one = 1;
  ::setsockopt(p->listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(p->opts.port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::bind(p->listen_fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::listen(p->listen_fd, 64) != 0) {
    auto why = std::string{std::strerror(errno)};
    ::close(p->listen_fd);
    return caf::make_error(
        errc::io_failure, "smsc_sim.start",
        "cannot listen on 127.0.0.1:" + std::to_string(p->opts.port) + ": " + why);
  }
  socklen_t len = sizeof addr;
  ::getsockname(p->listen_fd, reinterpret_cast<sockaddr*>(&addr), &len);
  p->port = ntohs(addr.sin_port);
  auto* raw = p.get();
  p->acceptor = std::thread{[raw] { raw->accept_loop(); }};
  p->dispatcher = std::thread{[raw] { raw->dispatch_loop(); }};
  return std::unique_ptr<smsc_sim>{new smsc_sim(std::move(p))};
}

smsc_sim::smsc_sim(std::unique_ptr<impl> p) : impl_(std::move(p)) {}

smsc_sim::~smsc_sim() {
  stop();
}

void smsc_sim::stop() {
  if (impl_->stopping.exchange(true))
    return;
  impl_->cv.notify_all();
  if (impl_->acceptor.joinable())
    impl_->acceptor.join();
  if (impl_->dispatcher.joinable())
    impl_->dispatcher.join();
  std::vector<std::shared_ptr<connection>> conns;
  {
    std::lock_guard<std::mutex> guard{impl_->mtx};
    conns = impl_->conns;
  }
  for (auto& c : conns) {
    impl_->close_conn(c);
    if (c->thread.joinable())
      c->thread.join();
    ::close(c->fd);
  }
  ::close(impl_->listen_fd);
}

uint16_t smsc_sim::port() const {
  return impl_->port;
}

smsc_sim::stats smsc_sim::counts() const {
  std::lock_guard<std::mutex> guard{impl_->mtx};
  return impl_->counts;
}

size_t smsc_sim::submits_to(std::string_view destination) const {
  std::lock_guard<std::mutex> guard{impl_->mtx};
  auto it = impl_->per_destination.find(std::string{destination});
  return it == impl_->per_destination.end() ? 0 : it->second;
}

size_t smsc_sim::receipts_pending() const {
  std::lock_guard<std::mutex> guard{impl_->mtx};
  size_t n = impl_->due.size();
  for (const auto& c : impl_->conns)
    n += c->unacked.size();
  return n;
}

void smsc_sim::set_stall(bool stalled) {
  impl_->stalled = stalled;
}

void smsc_sim::set_throttle_every(int n) {
  impl_->throttle_every = n;
}

void smsc_sim::drop_connections() {
  std::vector<std::shared_ptr<connection>> conns;
  {
    std::lock_guard<std::mutex> guard{impl_->mtx};
    conns = impl_->conns;
  }
  for (auto& c : conns)
    impl_->close_conn(c);
}

void smsc_sim::drop_after_next_submit() {
  impl_->drop_next = true;
}

smsc_sim_options carrier_sim_options(const config::sms_settings& s, sms::carrier c) {
  smsc_sim_options o;
  o.name = std::string{sms::key(c)};
  o.outcome_mix = s.simulator_mix;
  o.receipt_delay_ms = s.simulator_receipt_delay_ms;
  o.password = s.carriers[static_cast<size_t>(c)].password;
  // au answers in hex and reports in decimal, as some SMSCs do; the others use one form.
  o.resp_ids = c == sms::carrier::au ? smpp::id_format::hex : smpp::id_format::decimal;
  o.receipt_ids = smpp::id_format::decimal;
  o.receipt_tlvs = c != sms::carrier::softbank;  // SoftBank's receipts: text only
  return o;
}

caf::expected<std::vector<std::unique_ptr<smsc_sim>>> simulate_carriers(config::sms_settings& s) {
  std::vector<std::unique_ptr<smsc_sim>> out;
  for (auto c : sms::all_carriers) {
    auto i = static_cast<size_t>(c);
    auto o = carrier_sim_options(s, c);
    auto sim = smsc_sim::start(o);
    if (!sim)
      return std::move(sim.error());
    s.carriers[i].smsc = "127.0.0.1:" + std::to_string((*sim)->port());
    s.carriers[i].resp_ids = c == sms::carrier::au ? "hex" : "decimal";
    s.carriers[i].receipt_ids = "decimal";
    spdlog::info("event=simulated_smsc carrier={} port={}", o.name, (*sim)->port());
    out.push_back(std::move(*sim));
  }
  return out;
}

}  // namespace ivrcast::tools
