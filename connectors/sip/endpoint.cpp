#include "connectors/sip/endpoint.hpp"

#include <pthread.h>
#include <sched.h>

#include <cerrno>
#include <cstring>
#include <future>
#include <thread>
#include <unordered_map>

#include "connectors/log.hpp"
#include "messages/errc.hpp"

// libre 1.1.0 needs these before re.h, and after every C++ header: without HAVE_STDBOOL_H it
// defines true and false as macros.
#include <netinet/in.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <time.h>
#define HAVE_STDBOOL_H 1
#include <re.h>

namespace ivrcast::connectors::sip {
namespace {

constexpr const char* allow_header = "Allow: INVITE, ACK, BYE, CANCEL, OPTIONS, INFO, UPDATE\r\n";
constexpr size_t max_payload = 240;  // 30 ms of 8 kHz G.711

std::string_view view(const pl& p) {
  return p.p ? std::string_view{p.p, p.l} : std::string_view{};
}

std::string_view header(const sip_msg* msg, const char* name) {
  const sip_hdr* h = sip_msg_xhdr(msg, name);
  return h ? view(h->val) : std::string_view{};
}

caf::error fail(const char* what, int err) {
  return caf::make_error(errc::bad_config,
                         std::string{"sip endpoint: "} + what + ": " + std::strerror(err));
}

}  // namespace

int64_t monotonic_ms() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
}

struct sip_call {
  uint64_t id = 0;
  endpoint::impl* ep = nullptr;
  sipsess* sess = nullptr;
  struct rtp_sock* rtp = nullptr;
  sdp_session* sdp = nullptr;
  sdp_media* media = nullptr;
  mbuf* answer_sdp = nullptr;
  mbuf* packet = nullptr;  // reused for every RTP packet we send
  sa remote{};
  bool has_remote = false;
  media_params params;
  uint32_t ts = 0;
  bool answered = false;
  bool established = false;
  bool held = false;
  int64_t last_rtp_ms = 0;

  sip_call() = default;
  sip_call(const sip_call&) = delete;
  sip_call& operator=(const sip_call&) = delete;
  ~sip_call() {
    mem_deref(sess);  // sends BYE once the call is established
    mem_deref(rtp);
    mem_deref(answer_sdp);
    mem_deref(packet);
    mem_deref(media);
    mem_deref(sdp);
  }
};

struct endpoint::impl {
  endpoint_options opts;
  endpoint_handler* handler = nullptr;
  std::thread loop;
  ::sip* stack = nullptr;
  sipsess_sock* sock = nullptr;
  sip_lsnr* lsnr = nullptr;
  mqueue* queue = nullptr;
  tmr ticker{};
  sa rtp_addr{};
  sa public_addr{};
  std::string contact;
  uint64_t next_id = 1;
  bool stopping = false;
  std::unordered_map<uint64_t, std::unique_ptr<sip_call>> calls;

  // -- set-up and tear-down (loop thread) ----------------------------------------------------

  caf::expected<void> listen() {
    if (opts.realtime_priority > 0) {
      // Media paces every call from this thread: a late tick is a gap every caller hears.
      sched_param sp{};
      sp.sched_priority = opts.realtime_priority;
      if (int err = pthread_setschedparam(pthread_self(), SCHED_FIFO, &sp))
        logger().warn("event=sip_realtime_refused priority={} error={}", opts.realtime_priority,
                      std::strerror(err));
      else
        logger().info("event=sip_realtime priority={}", opts.realtime_priority);
    }
    // libre keeps its loop (fd table, timers) per thread once re_thread_init ran; without it,
    // two endpoints in one process (tests, a demo) would share and break one loop.
    int err = re_thread_init();
    if (err)
      return fail("re_thread_init", err);
    err = libre_init();
    if (err)
      return fail("libre_init", err);
    // Each call holds an RTP and an RTCP socket; libre's default table (1024) stops near 450.
    int fds = opts.max_calls * 2 + 256;
    rlimit rl{};
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < static_cast<rlim_t>(fds)) {
      rl.rlim_cur = std::min<rlim_t>(static_cast<rlim_t>(fds), rl.rlim_max);
      setrlimit(RLIMIT_NOFILE, &rl);  // ignored: a lower limit just caps calls, logged below
      getrlimit(RLIMIT_NOFILE, &rl);
      if (rl.rlim_cur < static_cast<rlim_t>(fds))
        logger().warn("event=sip_fd_limit wanted={} have={}", fds, rl.rlim_cur);
    }
    fd_setsize(0);
    if ((err = fd_setsize(fds)))
      return fail("fd_setsize", err);
    if ((err = sa_set_str(&rtp_addr, opts.host.c_str(), 0)))
      return fail("gateway.sip_listen host is not an IP address", err);
    auto pub = opts.public_address.empty() ? opts.host : opts.public_address;
    if ((err = sa_set_str(&public_addr, pub.c_str(), 0)))
      return fail("gateway.public_address is not an IP address", err);
    if (sa_is_any(&public_addr))
      return caf::make_error(errc::bad_config,
                             "gateway.public_address must be set when gateway.sip_listen "
                             "listens on every address");
    // Large hash tables: the small defaults failed a third of calls at 600 calls/s.
    uint32_t buckets = 4096;
    if ((err = sip_alloc(&stack, nullptr, buckets, buckets, buckets, "ivrcast", nullptr, nullptr)))
      return fail("sip_alloc", err);
    sa laddr{};
    sa_set_str(&laddr, opts.host.c_str(), static_cast<uint16_t>(opts.port));
    if ((err = sip_transp_add(stack, SIP_TRANSP_UDP, &laddr)))
      return fail("SIP UDP listen", err);
    if ((err = sip_transp_add(stack, SIP_TRANSP_TCP, &laddr)))
      return fail("SIP TCP listen", err);
    if ((err = sipsess_listen(&sock, stack, static_cast<int>(buckets), on_invite, this)))
      return fail("sipsess_listen", err);
    // After sipsess: it takes INVITE, ACK, BYE, INFO; this one answers what it leaves.
    if ((err = sip_listen(&lsnr, stack, true, on_other_request, this)))
      return fail("sip_listen", err);
    if ((err = mqueue_alloc(&queue, on_queue, this)))
      return fail("mqueue_alloc", err);
    char buf[128];
    std::snprintf(buf, sizeof buf, "sip:ivrcast@%s:%d", pub.c_str(), opts.port);
    contact = buf;
    tmr_init(&ticker);
    arm_tick();
    return {};
  }

  void close_all() {
    tmr_cancel(&ticker);
    while (!calls.empty()) {
      auto id = calls.begin()->first;
      end_call(id, true);
    }
    mem_deref(lsnr);
    mem_deref(sock);
    if (stack)
      sip_close(stack, false);
    mem_deref(stack);
    mem_deref(queue);
  }

  // -- ticks ---------------------------------------------------------------------------------

  void arm_tick() {
    auto now = monotonic_ms();
    auto next = (now / opts.tick_ms + 1) * opts.tick_ms;
    tmr_start(&ticker, static_cast<uint64_t>(next - now), on_tick, this);
  }

  static void on_tick(void* arg) {
    auto* self = static_cast<impl*>(arg);
    self->handler->tick();
    self->arm_tick();
  }

  static void on_queue(int id, void*, void* arg) {
    auto* self = static_cast<impl*>(arg);
    if (id == 1) {
      self->stopping = true;
      self->close_all();
      re_cancel();
      return;
    }
    self->handler->woken();
  }

  // -- calls ---------------------------------------------------------------------------------

  sip_call* find(uint64_t id) const {
    auto it = calls.find(id);
    return it == calls.end() ? nullptr : it->second.get();
  }

  /// Frees the call's libre objects; `bye` sends BYE (answered) or a refusal (ringing).
  void end_call(uint64_t id, bool bye) {
    auto it = calls.find(id);
    if (it == calls.end())
      return;
    auto c = std::move(it->second);  // freed (and BYE sent when established) on return
    calls.erase(it);
    if (c->sess && bye && !c->answered)
      sipsess_reject(c->sess, 480, "Temporarily Unavailable", "");
  }

  /// Applies a (re-)offer's remote address, direction and hold; true when hold changed.
  static bool apply_offer(sip_call& c) {
    const sa* raddr = sdp_media_raddr(c.media);
    c.has_remote = raddr && sa_isset(raddr, SA_ALL) && !sa_is_any(raddr);
    if (c.has_remote)
      c.remote = *raddr;
    // libre keeps the remote direction from our side (their sendonly is our recvonly) and
    // answers with ldir & rdir: we offer everything and may send when the result allows it.
    sdp_media_set_ldir(c.media, SDP_SENDRECV);
    bool held = !c.has_remote || !(sdp_media_dir(c.media) & SDP_SENDONLY);
    bool changed = held != c.held;
    c.held = held;
    return changed;
  }

  static int on_reoffer(mbuf** descp, const sip_msg* msg, void* arg) {
    auto* c = static_cast<sip_call*>(arg);
    bool has_body = msg->mb && mbuf_get_left(msg->mb) > 0;
    if (has_body) {
      if (int err = sdp_decode(c->sdp, msg->mb, true))
        return err;  // libre answers 488
      bool changed = apply_offer(*c);
      int err = sdp_encode(descp, c->sdp, false);
      if (!err && changed)
        c->ep->handler->hold(c->id, c->held);
      return err;
    }
    return sdp_encode(descp, c->sdp, true);  // an offerless re-INVITE asks us to offer
  }

  static int on_answer(const sip_msg* msg, void* arg) {
    auto* c = static_cast<sip_call*>(arg);
    if (msg->mb && mbuf_get_left(msg->mb) > 0) {
      if (int err = sdp_decode(c->sdp, msg->mb, false))
        return err;
      if (apply_offer(*c))
        c->ep->handler->hold(c->id, c->held);
    }
    return 0;
  }

  static void on_established(const sip_msg*, void* arg) {
    static_cast<sip_call*>(arg)->established = true;  // no ACK: the close says ETIMEDOUT
  }

  static void on_info(::sip* s, const sip_msg* msg, void* arg) {
    auto* c = static_cast<sip_call*>(arg);
    sip_reply(s, msg, 200, "OK");
    std::string ctype{view(msg->ctyp.type)};
    ctype += '/';
    ctype += view(msg->ctyp.subtype);
    std::string_view body;
    if (msg->mb)
      body = {reinterpret_cast<const char*>(mbuf_buf(msg->mb)), mbuf_get_left(msg->mb)};
    c->ep->handler->info(c->id, ctype, body);
  }

  static void on_close(int err, const sip_msg*, void* arg) {
    auto* c = static_cast<sip_call*>(arg);
    auto* self = c->ep;
    close_reason why = close_reason::failed;
    if (err == ECONNRESET)
      why = c->answered ? close_reason::caller_bye : close_reason::caller_cancel;
    else if (err == ETIMEDOUT && c->answered && !c->established)
      why = close_reason::no_ack;
    auto id = c->id;
    self->end_call(id, false);
    self->handler->closed(id, why);
  }

  static void on_rtp(const sa*, const rtp_header* hdr, mbuf* mb, void* arg) {
    auto* c = static_cast<sip_call*>(arg);
    c->last_rtp_ms = monotonic_ms();
    if (c->params.telephone_event_pt >= 0 && hdr->pt == c->params.telephone_event_pt)
      c->ep->handler->telephone_event(c->id, hdr->ssrc, hdr->ts,
                                      std::span<const uint8_t>{mbuf_buf(mb), mbuf_get_left(mb)});
  }

  static void on_invite(const sip_msg* msg, void* arg) {
    auto* self = static_cast<impl*>(arg);
    self->invite(msg);
  }

  void invite(const sip_msg* msg) {
    if (stopping || calls.size() >= static_cast<size_t>(opts.max_calls)) {
      sip_treplyf(nullptr, nullptr, stack, msg, false, 503, "Service Unavailable",
                  "Retry-After: 5\r\nContent-Length: 0\r\n\r\n");
      return;
    }
    if (!msg->mb || mbuf_get_left(msg->mb) == 0 ||
        !msg_ctype_cmp(&msg->ctyp, "application", "sdp")) {
      // A late offer (INVITE without SDP) is not supported: most trunks and PBXs offer early.
      sip_treplyf(nullptr, nullptr, stack, msg, false, 488, "Not Acceptable Here",
                  "Warning: 399 ivrcast \"an SDP offer is required in the INVITE\"\r\n"
                  "Content-Length: 0\r\n\r\n");
      return;
    }
    sip_reply(stack, msg, 100, "Trying");
    auto c = std::make_unique<sip_call>();
    c->id = next_id++;
    c->ep = this;
    int err = rtp_listen(&c->rtp, IPPROTO_UDP, &rtp_addr, static_cast<uint16_t>(opts.rtp_port_min),
                         static_cast<uint16_t>(opts.rtp_port_max), false, on_rtp, nullptr, c.get());
    if (!err)
      err = sdp_session_alloc(&c->sdp, &public_addr);
    if (!err)
      err = sdp_media_add(&c->media, c->sdp, "audio", sa_port(rtp_local(c->rtp)), "RTP/AVP");
    if (!err)
      err = sdp_format_add(nullptr, c->media, false, "0", "PCMU", 8000, 1, nullptr, nullptr,
                           nullptr, false, nullptr);
    if (!err)
      err = sdp_format_add(nullptr, c->media, false, "8", "PCMA", 8000, 1, nullptr, nullptr,
                           nullptr, false, nullptr);
    if (!err)
      err = sdp_format_add(nullptr, c->media, false, "101", "telephone-event", 8000, 1, nullptr,
                           nullptr, nullptr, false, "0-15");
    if (err) {
      logger().warn("event=sip_media_setup_failed error={}", std::strerror(err));
      refuse(std::move(c), msg, 503, "Service Unavailable");
      return;
    }
    if (sdp_decode(c->sdp, msg->mb, true)) {
      refuse(std::move(c), msg, 400, "Bad Request (malformed SDP)");
      return;
    }
    const sdp_format* audio = nullptr;
    for (le* e = sdp_media_format_lst(c->media, true)->head; e; e = e->next) {
      auto* f = static_cast<const sdp_format*>(e->data);
      if (f->sup && (!str_casecmp(f->name, "PCMU") || !str_casecmp(f->name, "PCMA"))) {
        audio = f;
        break;  // the offer's order: the caller's preference
      }
    }
    if (!audio) {
      refuse(std::move(c), msg, 488, "Not Acceptable Here");
      return;
    }
    c->params.audio = !str_casecmp(audio->name, "PCMA") ? codec::pcma : codec::pcmu;
    c->params.audio_pt = static_cast<uint8_t>(audio->pt);
    if (const sdp_format* te = sdp_media_rformat(c->media, "telephone-event"))
      c->params.telephone_event_pt = te->pt;
    if (const char* ptime = sdp_media_rattr(c->media, "ptime")) {
      int p = std::atoi(ptime);
      if (p == 10 || p == 20 || p == 30)
        c->params.ptime_ms = p;
    }
    apply_offer(*c);
    incoming_call info;
    info.request_user = view(msg->uri.user);
    info.asserted_identity = header(msg, "P-Asserted-Identity");
    info.from = view(msg->from.val);
    info.privacy = header(msg, "Privacy");
    info.media = c->params;
    if (int status = handler->offered(c->id, info)) {
      refuse(std::move(c), msg, status, status == 404 ? "Not Found" : "Service Unavailable");
      return;
    }
    auto* raw = c.get();
    calls.emplace(raw->id, std::move(c));
    err = sdp_encode(&raw->answer_sdp, raw->sdp, false);
    if (!err)
      err =
          sipsess_accept(&raw->sess, sock, msg, 180, "Ringing", contact.c_str(), "application/sdp",
                         nullptr, nullptr, nullptr, false, on_reoffer, on_answer, on_established,
                         on_info, nullptr, on_close, raw, "%s", allow_header);
    raw->packet = mbuf_alloc(RTP_HEADER_SIZE + max_payload);
    raw->ts = rand_u32();
    raw->last_rtp_ms = monotonic_ms();
    if (err || !raw->packet) {
      logger().warn("event=sip_accept_failed error={}", std::strerror(err ? err : ENOMEM));
      auto id = raw->id;
      end_call(id, false);
      handler->closed(id, close_reason::failed);
    }
  }

  /// Answers an INVITE that got no session with `status`; `c`'s media go with it.
  void refuse(std::unique_ptr<sip_call> c, const sip_msg* msg, int status, const char* reason) {
    c.reset();
    sip_treply(nullptr, stack, msg, static_cast<uint16_t>(status), reason);
  }

  static bool on_other_request(const sip_msg* msg, void* arg) {
    auto* self = static_cast<impl*>(arg);
    auto met = view(msg->met);
    if (met == "OPTIONS") {
      sip_treplyf(nullptr, nullptr, self->stack, msg, false, 200, "OK",
                  "%sAccept: application/sdp\r\nContent-Length: 0\r\n\r\n", allow_header);
      return true;
    }
    if (met == "UPDATE") {
      // Session-timer refreshes: keep the session as it is (no SDP change).
      if (!pl_isset(&msg->to.tag)) {
        sip_treply(nullptr, self->stack, msg, 481, "Call/Transaction Does Not Exist");
        return true;
      }
      auto se = header(msg, "Session-Expires");
      if (se.empty())
        sip_treplyf(nullptr, nullptr, self->stack, msg, false, 200, "OK",
                    "Content-Length: 0\r\n\r\n");
      else
        sip_treplyf(nullptr, nullptr, self->stack, msg, false, 200, "OK",
                    "Session-Expires: %.*s\r\nContent-Length: 0\r\n\r\n",
                    static_cast<int>(se.size()), se.data());
      return true;
    }
    if (met == "CANCEL" || met == "ACK")
      return false;  // the transaction layer's
    sip_treplyf(nullptr, nullptr, self->stack, msg, false, 405, "Method Not Allowed",
                "%sContent-Length: 0\r\n\r\n", allow_header);
    return true;
  }
};

endpoint::endpoint(std::unique_ptr<impl> p) : impl_(std::move(p)) {}

endpoint::~endpoint() {
  stop();
}

caf::expected<std::unique_ptr<endpoint>> endpoint::open(const endpoint_options& o,
                                                        endpoint_handler& h) {
  auto p = std::make_unique<impl>();
  p->opts = o;
  p->handler = &h;
  std::promise<caf::expected<void>> ready;
  auto started = ready.get_future();
  auto* raw = p.get();
  p->loop = std::thread{[raw, &ready] {
    auto up = raw->listen();
    bool ok = static_cast<bool>(up);
    ready.set_value(std::move(up));
    if (ok)
      re_main(nullptr);
    else
      raw->close_all();
    libre_close();
    re_thread_close();
  }};
  auto up = started.get();
  if (!up) {
    p->loop.join();
    return std::move(up.error());
  }
  logger().info("event=sip_listening address={}:{} udp=true tcp=true rtp_ports={}-{}", o.host,
                o.port, o.rtp_port_min, o.rtp_port_max);
  return std::unique_ptr<endpoint>{new endpoint(std::move(p))};
}

void endpoint::stop() {
  if (!impl_ || !impl_->loop.joinable())
    return;
  // The loop may be briefly full of wakes; the stop message must get through.
  while (mqueue_push(impl_->queue, 1, nullptr) == EAGAIN)
    std::this_thread::yield();
  impl_->loop.join();
}

void endpoint::wake() {
  // ignored: EAGAIN means wakes are already queued, and one drains everything posted
  (void)mqueue_push(impl_->queue, 0, nullptr);
}

void endpoint::answer(uint64_t call) {
  auto* c = impl_->find(call);
  if (!c || c->answered || !c->sess)
    return;
  c->answered = true;
  c->last_rtp_ms = monotonic_ms();
  if (int err = sipsess_answer(c->sess, 200, "OK", c->answer_sdp, "%s", allow_header))
    logger().warn("event=sip_answer_failed error={}", std::strerror(err));
}

void endpoint::reject(uint64_t call, int status, const char* reason) {
  auto* c = impl_->find(call);
  if (!c)
    return;
  if (c->sess && !c->answered)
    sipsess_reject(c->sess, static_cast<uint16_t>(status), reason, "");
  impl_->end_call(call, false);
}

void endpoint::hangup(uint64_t call) {
  impl_->end_call(call, true);
}

void endpoint::send_audio(uint64_t call, std::span<const uint8_t> payload, bool marker) {
  auto* c = impl_->find(call);
  if (!c || !c->answered || c->held || !c->has_remote || payload.size() > max_payload)
    return;
  mbuf* mb = c->packet;
  mb->pos = RTP_HEADER_SIZE;
  mb->end = RTP_HEADER_SIZE;
  mbuf_write_mem(mb, payload.data(), payload.size());
  mb->pos = RTP_HEADER_SIZE;
  // ignored: a lost datagram is a gap the caller hears, not an error to act on
  (void)rtp_send(c->rtp, &c->remote, false, marker, c->params.audio_pt, c->ts, mb);
  c->ts += static_cast<uint32_t>(payload.size());
}

int64_t endpoint::last_rtp_ms(uint64_t call) const {
  auto* c = impl_->find(call);
  return c ? c->last_rtp_ms : 0;
}

}  // namespace ivrcast::connectors::sip
