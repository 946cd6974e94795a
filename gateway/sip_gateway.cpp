#include "gateway/sip_gateway.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <random>
#include <thread>
#include <unordered_map>
#include <vector>

#include "connectors/gateway/codec.hpp"
#include "connectors/http/client.hpp"
#include "connectors/kafka/bus.hpp"
#include "connectors/kafka/consumer.hpp"
#include "connectors/kafka/producer.hpp"
#include "connectors/sip/endpoint.hpp"
#include "gateway/call_journal.hpp"
#include "gateway/call_script.hpp"
#include "gateway/caller_identity.hpp"
#include "gateway/dtmf.hpp"
#include "gateway/g711.hpp"
#include "gateway/log.hpp"
#include "gateway/wav.hpp"
#include "messages/clock.hpp"
#include "messages/errc.hpp"
#include "messages/phone.hpp"

namespace ivrcast::gateway {
namespace {

namespace kafka = connectors::kafka;
namespace sip = connectors::sip;
using messages::call_event;
using messages::call_event_kind;
using messages::end_reason;
using clip = std::vector<uint8_t>;
using clip_ptr = std::shared_ptr<const clip>;

constexpr size_t max_audio_bytes = 8 * 1024 * 1024;  // 5 minutes of μ-law is 2.4 MB
constexpr int64_t max_catch_up_packets = 10;         // beyond: skip ahead, do not burst
constexpr int64_t audio_retry_ms = 10000;
constexpr size_t max_cached_bytes = 256 * 1024 * 1024;  // prompts of every tenant add up

/// A call as the gateway keeps it (loop thread).
struct live_call {
  uint64_t handle = 0;
  std::string id;  // the protocol's call_id
  uint32_t sequence = 0;
  call_script script;
  dtmf_detector dtmf;
  sip::media_params media;
  bool answered = false;
  bool held = false;
  bool gone = false;  // forgotten during a tick's walk, erased right after it
  std::vector<messages::call_command> early;  // arrived while still ringing (gateway.ring_ms)
  int64_t offered_ms = 0;
  int64_t busy_ms = 0;  // last time the script had something to play or collect
  // Playback: the prompt, where it is, or the URL it waits for.
  clip_ptr audio;
  size_t pos = 0;
  bool playing = false;
  std::string waiting_url;
  int64_t next_packet_ms = 0;
  bool first_packet = true;
};

struct audio_entry {
  clip_ptr samples;
  bool pending = false;
  int64_t failed_at_ms = -1;
  int64_t used_ms = 0;  // last start of a play: the least recently used go first
};

struct fetched {
  std::string url;
  caf::expected<clip> samples;
};

}  // namespace

struct sip_gateway::impl final : sip::endpoint_handler, kafka::partition_reader::handler {
  config::gateway_settings settings;
  std::unique_ptr<sip::endpoint> endpoint;
  std::unique_ptr<kafka::producer> producer;
  kafka::producer::topic_ref events_topic;
  std::unique_ptr<kafka::partition_reader> commands;
  std::unique_ptr<call_journal> journal;
  std::string nonce;
  uint64_t next_call = 1;

  // -- loop thread ---------------------------------------------------------------------------
  std::unordered_map<uint64_t, live_call> calls;       // by endpoint handle
  std::unordered_map<std::string, uint64_t> handles;   // call_id → handle
  std::unordered_map<std::string, audio_entry> audio;  // by URL (content-addressed)
  size_t cached_bytes = 0;
  bool walking = false;          // the tick is iterating `calls`: erasing waits for its end
  std::vector<uint64_t> doomed;  // calls forgotten during the walk
  std::string buf;               // reused event encoding
  int64_t last_tick_ms = 0;
  int64_t last_timer_check_ms = 0;

  // -- handed over from other threads (under inbox_mtx) --------------------------------------
  std::mutex inbox_mtx;
  std::vector<messages::call_command> inbox_commands;
  std::vector<fetched> inbox_audio;

  // -- audio fetch worker --------------------------------------------------------------------
  std::mutex fetch_mtx;
  std::condition_variable fetch_cv;
  std::deque<std::string> fetch_queue;
  bool fetch_stop = false;
  std::thread fetcher;

  // -- counters ------------------------------------------------------------------------------
  std::atomic<uint64_t> n_offered{0}, n_answered{0}, n_refused{0}, n_ended{0}, n_live{0},
      n_packets{0}, n_keys{0}, n_commands{0}, n_audio_failures{0}, n_late{0};
  std::atomic<bool> producer_failed{false};

  // -- events --------------------------------------------------------------------------------

  void emit(live_call& c, call_event ev) {
    ev.call = call_id{c.id};
    ev.gateway = gateway_id{settings.id};
    ev.occurred_at_ms = unix_now_ms();
    ev.sequence = ++c.sequence;
    connectors::gateway::encode(ev, buf);
    if (!producer->produce(events_topic, c.id, buf, 0)) {
      producer_failed = true;
      logger().error("event=event_produce_failed call={} kind={}", c.id, static_cast<int>(ev.kind));
    }
  }

  void emit_ended(live_call& c, end_reason why) {
    call_event ev;
    ev.kind = call_event_kind::ended;
    ev.reason = why;
    emit(c, std::move(ev));
  }

  /// Forgets a call whose SIP side is already gone or released.
  void forget(uint64_t handle) {
    auto it = calls.find(handle);
    if (it == calls.end() || it->second.gone)
      return;
    it->second.script.end();
    journal->ended(it->second.id);
    handles.erase(it->second.id);
    ++n_ended;
    --n_live;
    if (walking) {
      it->second.gone = true;
      doomed.push_back(handle);
      return;
    }
    calls.erase(it);
  }

  /// Releases the call on our side and reports why: BYE once answered, else 503 (no first
  /// command came: nodes or Kafka unreachable).
  void release(live_call& c, end_reason why) {
    auto handle = c.handle;
    emit_ended(c, why);
    if (c.answered)
      endpoint->hangup(handle);
    else
      endpoint->reject(handle, 503, "Service Unavailable");
    forget(handle);
  }

  // -- endpoint_handler ----------------------------------------------------------------------

  int offered(uint64_t handle, const sip::incoming_call& in) override {
    auto called = dialled_number(in.request_user);
    if (called.empty() || messages::normalise_number(called).empty()) {
      ++n_refused;
      return 404;  // no number of ours: the nodes would refuse the event
    }
    if (producer_failed.load()) {
      ++n_refused;
      return 503;
    }
    live_call c;
    c.handle = handle;
    char id[96];
    std::snprintf(id, sizeof id, "%s-%s-%llu", settings.id.c_str(), nonce.c_str(),
                  static_cast<unsigned long long>(next_call++));
    c.id = id;
    c.media = in.media;
    c.offered_ms = sip::monotonic_ms();
    c.busy_ms = c.offered_ms;
    call_event ev;
    ev.kind = call_event_kind::started;
    ev.called = called;
    ev.calling = calling_number(in.asserted_identity, in.from, in.privacy);
    logger().debug("event=call_offered call={} called={} calling={} codec={} te_pt={} ptime={}",
                   c.id, called, messages::mask(ev.calling),
                   in.media.audio == sip::codec::pcma ? "PCMA" : "PCMU",
                   in.media.telephone_event_pt, in.media.ptime_ms);
    journal->started(c.id);
    handles.emplace(c.id, handle);
    auto& stored = calls.emplace(handle, std::move(c)).first->second;
    emit(stored, std::move(ev));
    ++n_offered;
    ++n_live;
    return 0;
  }

  void closed(uint64_t handle, sip::close_reason why) override {
    auto it = calls.find(handle);
    if (it == calls.end())
      return;
    bool caller = why == sip::close_reason::caller_bye || why == sip::close_reason::caller_cancel;
    logger().debug("event=call_closed call={} reason={}", it->second.id, static_cast<int>(why));
    emit_ended(it->second, caller ? end_reason::caller_hung_up : end_reason::network_error);
    forget(handle);
  }

  void telephone_event(uint64_t handle, uint32_t ssrc, uint32_t ts,
                       std::span<const uint8_t> payload) override {
    auto it = calls.find(handle);
    if (it == calls.end())
      return;
    auto ev = parse_telephone_event(payload);
    if (!ev)
      return;
    auto now = sip::monotonic_ms();
    if (char k = it->second.dtmf.packet(ssrc, ts, *ev, now))
      key(it->second, k, now);
  }

  void info(uint64_t handle, std::string_view ctype, std::string_view body) override {
    auto it = calls.find(handle);
    if (it == calls.end())
      return;
    if (char k = info_key(ctype, body))
      key(it->second, k, sip::monotonic_ms());
  }

  void hold(uint64_t handle, bool held) override {
    auto it = calls.find(handle);
    if (it == calls.end())
      return;
    it->second.held = held;
    if (!held)  // the media clock resumes from now, not from before the hold
      it->second.next_packet_ms = sip::monotonic_ms();
  }

  void woken() override {
    std::vector<messages::call_command> cmds;
    std::vector<fetched> done;
    {
      std::lock_guard<std::mutex> guard{inbox_mtx};
      cmds.swap(inbox_commands);
      done.swap(inbox_audio);
    }
    auto now = sip::monotonic_ms();
    for (auto& f : done)
      audio_arrived(std::move(f), now);
    for (auto& cmd : cmds)
      command(std::move(cmd), now);
  }

  void tick() override {
    auto now = sip::monotonic_ms();
    if (last_tick_ms && now - last_tick_ms > 2 * tick_ms)
      ++n_late;
    last_tick_ms = now;
    // Media and digit timeouts every tick; the call timers (seconds long) ten times a second.
    bool check_timers = now - last_timer_check_ms >= timer_check_ms;
    if (check_timers)
      last_timer_check_ms = now;
    std::vector<uint64_t> expired;
    std::vector<uint64_t> refused;
    std::vector<uint64_t> ringing_over;
    // Calls that end during the walk are erased after it (forget() defers while walking).
    walking = true;
    for (auto& [handle, c] : calls) {
      if (c.gone)
        continue;
      if (!c.answered) {
        if (!c.early.empty() && now - c.offered_ms >= settings.ring_ms)
          ringing_over.push_back(handle);
        else if (c.early.empty() && now - c.offered_ms > settings.first_command_ms)
          refused.push_back(handle);
        continue;
      }
      if (c.script.collecting()) {
        std::vector<effect> fx;
        c.script.tick(now, fx);
        apply(c, std::move(fx), now);
        if (c.gone)
          continue;
      }
      stream(c, now);
      if (c.gone || !check_timers)
        continue;
      if (!c.script.idle())
        c.busy_ms = now;
      if (c.script.idle() && now - c.busy_ms > settings.idle_timeout_s * 1000LL)
        expired.push_back(handle);
      else if (settings.rtp_timeout_s > 0 && !c.held &&
               now - endpoint->last_rtp_ms(handle) > settings.rtp_timeout_s * 1000LL)
        expired.push_back(handle);
    }
    walking = false;
    for (auto h : doomed)
      calls.erase(h);
    doomed.clear();
    for (auto h : ringing_over)
      if (auto it = calls.find(h); it != calls.end()) {
        auto cmds = std::move(it->second.early);
        for (auto& cmd : cmds)
          command(std::move(cmd), now);
      }
    for (auto h : expired)
      if (auto it = calls.find(h); it != calls.end()) {
        logger().info("event=call_timed_out call={}", it->second.id);
        release(it->second, end_reason::network_error);
      }
    for (auto h : refused)
      if (auto it = calls.find(h); it != calls.end()) {
        logger().warn("event=no_first_command call={} waited_ms={} answer=503", it->second.id,
                      settings.first_command_ms);
        release(it->second, end_reason::network_error);
        ++n_refused;
      }
  }

  static constexpr int64_t tick_ms = 5;
  static constexpr int64_t timer_check_ms = 100;

  // -- commands and their effects ------------------------------------------------------------

  void command(messages::call_command cmd, int64_t now) {
    auto h = handles.find(cmd.call.value);
    if (h == handles.end())
      return;  // a call that ended, or of an earlier run
    auto& c = calls.at(h->second);
    if (!c.answered && now - c.offered_ms < settings.ring_ms) {
      c.early.push_back(std::move(cmd));
      return;
    }
    std::vector<effect> fx;
    if (!c.script.command(std::move(cmd), now, fx))
      return;  // (call, seq) already executed
    ++n_commands;
    if (!c.answered) {
      c.answered = true;
      endpoint->answer(c.handle);
      c.next_packet_ms = now;
      ++n_answered;
    }
    apply(c, std::move(fx), now);
  }

  void key(live_call& c, char k, int64_t now) {
    ++n_keys;
    std::vector<effect> fx;
    c.script.key(k, now, fx);
    apply(c, std::move(fx), now);
  }

  /// Carries out `fx` for `c`; `c` may be gone afterwards when it hung up. Its own vector:
  /// a prompt that cannot play ends at once and applies the script's next effects inside.
  void apply(live_call& c, std::vector<effect> fx, int64_t now) {
    for (auto& e : fx) {
      switch (e.kind) {
        case effect_kind::play:
          start_play(c, *e.play, now);
          break;
        case effect_kind::stop_play:
          c.playing = false;
          c.audio.reset();
          c.waiting_url.clear();
          break;
        case effect_kind::prompt_finished: {
          call_event ev;
          ev.kind = call_event_kind::prompt_finished;
          ev.command_seq = e.seq;
          ev.prompt_id = e.play ? e.play->prompt_id : std::string{};
          emit(c, std::move(ev));
          break;
        }
        case effect_kind::digits: {
          call_event ev;
          ev.kind = call_event_kind::digits_collected;
          ev.command_seq = e.seq;
          ev.digits = std::move(e.digits);
          ev.end = e.end;
          emit(c, std::move(ev));
          break;
        }
        case effect_kind::hangup:
          release(c, end_reason::ivr_hung_up);
          return;
      }
    }
  }

  void start_play(live_call& c, const messages::action& a, int64_t now) {
    c.playing = true;
    c.pos = 0;
    c.audio.reset();
    c.waiting_url.clear();
    if (a.audio_url.empty()) {
      // This gateway has no TTS engine: ivrcast nodes send audio_url for every prompt.
      logger().warn("event=prompt_without_audio call={} prompt={}", c.id, a.prompt_id);
      ++n_audio_failures;
      prompt_ended(c, now);
      return;
    }
    auto& entry = audio[a.audio_url];
    entry.used_ms = now;
    if (entry.samples) {
      c.audio = entry.samples;
      return;
    }
    c.waiting_url = a.audio_url;
    if (entry.pending)
      return;
    if (entry.failed_at_ms >= 0 && now - entry.failed_at_ms < audio_retry_ms) {
      c.waiting_url.clear();
      ++n_audio_failures;
      prompt_ended(c, now);
      return;
    }
    entry.pending = true;
    {
      std::lock_guard<std::mutex> guard{fetch_mtx};
      fetch_queue.push_back(a.audio_url);
    }
    fetch_cv.notify_one();
  }

  /// The prompt ended (played out, or could not be played): the script goes on.
  void prompt_ended(live_call& c, int64_t now) {
    c.playing = false;
    c.audio.reset();
    std::vector<effect> fx;
    c.script.play_done(now, fx);
    apply(c, std::move(fx), now);
  }

  void audio_arrived(fetched f, int64_t now) {
    auto& entry = audio[f.url];
    entry.pending = false;
    if (f.samples) {
      entry.samples = std::make_shared<const clip>(std::move(*f.samples));
      entry.failed_at_ms = -1;
      cached_bytes += entry.samples->size();
      evict_audio(f.url);
    } else {
      entry.failed_at_ms = now;
      logger().warn("event=prompt_audio_refused url={} error={}", f.url,
                    caf::to_string(f.samples.error()));
    }
    std::vector<uint64_t> waiting;
    for (auto& [h, c] : calls)
      if (c.waiting_url == f.url)
        waiting.push_back(h);
    for (auto h : waiting) {
      auto it = calls.find(h);
      if (it == calls.end())
        continue;
      auto& c = it->second;
      c.waiting_url.clear();
      if (entry.samples) {
        c.audio = entry.samples;
      } else {
        ++n_audio_failures;
        prompt_ended(c, now);
      }
    }
  }

  /// Drops the least recently played prompts while the cache holds more than its cap (calls
  /// playing one keep their copy); `keep` is the one just fetched.
  void evict_audio(const std::string& keep) {
    while (cached_bytes > max_cached_bytes) {
      auto oldest = audio.end();
      for (auto it = audio.begin(); it != audio.end(); ++it)
        if (it->second.samples && it->first != keep &&
            (oldest == audio.end() || it->second.used_ms < oldest->second.used_ms))
          oldest = it;
      if (oldest == audio.end())
        return;
      cached_bytes -= oldest->second.samples->size();
      audio.erase(oldest);
    }
  }

  // -- media ---------------------------------------------------------------------------------

  /// Sends the packets due for `c` by the one monotonic clock: the prompt's samples, or
  /// comfort silence between prompts; late ticks catch up, a long stall skips ahead.
  void stream(live_call& c, int64_t now) {
    if (c.held)
      return;
    int64_t ptime = c.media.ptime_ms;
    auto n = static_cast<size_t>(ptime * 8);
    if (now - c.next_packet_ms > max_catch_up_packets * ptime)
      c.next_packet_ms = now;
    std::array<uint8_t, 240> payload;
    while (c.next_packet_ms <= now) {
      bool finished = false;
      size_t filled = 0;
      if (c.playing && c.audio) {
        filled = std::min(n, c.audio->size() - c.pos);
        std::copy_n(c.audio->data() + c.pos, filled, payload.data());
        c.pos += filled;
        finished = c.pos >= c.audio->size();
      }
      std::fill(payload.begin() + static_cast<long>(filled), payload.begin() + static_cast<long>(n),
                mulaw_silence);
      if (c.media.audio == sip::codec::pcma)
        for (size_t i = 0; i < n; ++i)
          payload[i] = mulaw_to_alaw(payload[i]);
      endpoint->send_audio(c.handle, std::span<const uint8_t>{payload.data(), n}, c.first_packet);
      c.first_packet = false;
      ++n_packets;
      c.next_packet_ms += ptime;
      if (finished) {
        prompt_ended(c, now);
        if (c.gone)
          return;  // the prompt was the last before hangup
      }
    }
  }

  // -- partition_reader::handler (Kafka thread) ----------------------------------------------

  int64_t start_offset(int32_t) override { return -1; }  // commands from now on

  void records(int32_t, std::span<const kafka::record> batch) override {
    std::vector<messages::call_command> mine;
    for (const auto& r : batch) {
      if (r.key != settings.id)
        continue;  // another gateway's
      auto cmd = connectors::gateway::decode_command(r.value);
      if (!cmd) {
        logger().warn("event=command_refused offset={} error={}", r.offset,
                      caf::to_string(cmd.error()));
        continue;
      }
      mine.push_back(std::move(*cmd));
    }
    if (mine.empty())
      return;
    {
      std::lock_guard<std::mutex> guard{inbox_mtx};
      for (auto& m : mine)
        inbox_commands.push_back(std::move(m));
    }
    endpoint->wake();
  }

  // -- audio fetch worker --------------------------------------------------------------------

  void run_fetcher() {
    while (true) {
      std::string url;
      {
        std::unique_lock<std::mutex> lock{fetch_mtx};
        fetch_cv.wait(lock, [&] { return fetch_stop || !fetch_queue.empty(); });
        if (fetch_stop)
          return;
        url = std::move(fetch_queue.front());
        fetch_queue.pop_front();
      }
      fetched f{url, caf::error{}};
      auto body = connectors::http::fetch(url, max_audio_bytes, 10);
      if (!body)
        f.samples = std::move(body.error());
      else
        f.samples = mulaw_samples(*body);
      {
        std::lock_guard<std::mutex> guard{inbox_mtx};
        inbox_audio.push_back(std::move(f));
      }
      endpoint->wake();
    }
  }
};

sip_gateway::sip_gateway(std::unique_ptr<impl> p) : impl_(std::move(p)) {}

sip_gateway::~sip_gateway() {
  stop();
}

caf::expected<std::unique_ptr<sip_gateway>> sip_gateway::start(const kafka::bus& b,
                                                               const config::gateway_settings& s) {
  auto p = std::make_unique<impl>();
  p->settings = s;
  std::random_device rd;
  char nonce[16];
  std::snprintf(nonce, sizeof nonce, "%08x", rd());
  p->nonce = nonce;
  std::vector<std::string> left_open;
  auto j = call_journal::open(s.state_dir, s.id, left_open);
  if (!j)
    return std::move(j.error());
  p->journal = std::move(*j);
  auto* raw = p.get();
  auto prod = kafka::producer::open(b, s.id + "-events", [raw](uint64_t, bool ok) {
    if (!ok)
      logger().error("event=event_not_delivered gateway={}", raw->settings.id);
  });
  if (!prod)
    return std::move(prod.error());
  p->producer = std::move(*prod);
  p->events_topic = p->producer->topic(b.topic(topics::call_events));
  if (!left_open.empty()) {
    // The previous run died with these calls open: their sessions at the nodes must end.
    for (const auto& id : left_open) {
      live_call c;
      c.id = id;
      c.sequence = 1000000;  // after anything the previous run sent for it
      p->emit_ended(c, end_reason::network_error);
    }
    if (auto f = p->producer->flush(std::chrono::seconds{10}); !f)
      return std::move(f.error());
    logger().warn("event=calls_of_previous_run_ended count={}", left_open.size());
  }
  auto reader = kafka::partition_reader::open(b, b.topic(topics::call_commands),
                                              s.id + "-commands-" + p->nonce, *p);
  if (!reader)
    return std::move(reader.error());
  p->commands = std::move(*reader);
  sip::endpoint_options eo;
  eo.host = s.sip_host;
  eo.port = s.sip_port;
  eo.public_address = s.public_address;
  eo.rtp_port_min = s.rtp_port_min;
  eo.rtp_port_max = s.rtp_port_max;
  eo.max_calls = s.max_calls;
  eo.realtime_priority = s.realtime_priority;
  eo.tick_ms = static_cast<int>(impl::tick_ms);
  auto ep = sip::endpoint::open(eo, *p);
  if (!ep)
    return std::move(ep.error());
  p->endpoint = std::move(*ep);
  p->fetcher = std::thread{[raw] { raw->run_fetcher(); }};
  p->commands->start();
  logger().info("event=gateway_started gateway={} sip={}:{}", s.id, s.sip_host, s.sip_port);
  return std::unique_ptr<sip_gateway>{new sip_gateway(std::move(p))};
}

void sip_gateway::stop() {
  if (!impl_ || !impl_->endpoint)
    return;
  impl_->commands->stop();
  {
    std::lock_guard<std::mutex> guard{impl_->fetch_mtx};
    impl_->fetch_stop = true;
  }
  impl_->fetch_cv.notify_all();
  if (impl_->fetcher.joinable())
    impl_->fetcher.join();
  // The endpoint's stop hangs up every call; once its loop is gone, report them.
  impl_->endpoint->stop();
  for (auto& [h, c] : impl_->calls) {
    impl_->emit_ended(c, end_reason::network_error);
    impl_->journal->ended(c.id);
  }
  impl_->calls.clear();
  impl_->endpoint.reset();
  if (auto f = impl_->producer->flush(std::chrono::seconds{10}); !f)
    logger().error("event=gateway_flush_failed error={}", caf::to_string(f.error()));
}

gateway_stats sip_gateway::stats() const {
  gateway_stats s;
  s.offered = impl_->n_offered;
  s.answered = impl_->n_answered;
  s.refused = impl_->n_refused;
  s.ended = impl_->n_ended;
  s.live = impl_->n_live;
  s.packets = impl_->n_packets;
  s.keys = impl_->n_keys;
  s.commands = impl_->n_commands;
  s.audio_failures = impl_->n_audio_failures;
  s.late_ticks = impl_->n_late;
  return s;
}

}  // namespace ivrcast::gateway
