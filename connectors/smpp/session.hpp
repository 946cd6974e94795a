#pragma once

#include <sys/socket.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

#include "connectors/smpp/pdu.hpp"

namespace ivrcast::connectors::smpp {

/// Where and how one connection binds.
struct session_settings {
  std::string host = "127.0.0.1";
  uint16_t port = 2775;
  std::string system_id;
  std::string password;
  std::string system_type;
  int enquire_link_ms = 30000;      // keep-alive interval when idle
  int response_timeout_ms = 10000;  // bind and enquire_link answers
  int reconnect_min_ms = 200;       // backoff doubles up to reconnect_max_ms
  int reconnect_max_ms = 10000;
};

/// What a session reports. Calls come from the session's I/O thread; keep them short.
class session_handler {
 public:
  virtual ~session_handler() = default;
  /// Bound as transceiver: submits are accepted from now on.
  virtual void bound(int session) = 0;
  /// The connection is gone (or could not bind): submits still unanswered on it are in doubt.
  virtual void unbound(int session, std::string_view reason) = 0;
  /// A submit_sm_resp (or a generic_nack naming a submit's sequence).
  virtual void submit_resp(int session, uint32_t sequence, uint32_t status,
                           std::string_view message_id) = 0;
  /// A deliver_sm; answer it with `session::ack_deliver` once it is safely recorded.
  virtual void deliver(int session, uint32_t sequence, const sm_body& sm) = 0;
};

/// One SMPP 3.4 transceiver connection that keeps itself bound: connects, binds, answers
/// enquire_link and sends its own when idle, reconnects with backoff, nacks malformed PDUs and
/// unbinds on stop. Writes never block the caller: they are buffered and flushed by the I/O
/// thread. `submit` and `ack_deliver` are thread-safe.
class session {
 public:
  session(session_settings s, int index, session_handler& h);
  ~session();
  session(const session&) = delete;
  session& operator=(const session&) = delete;

  /// Connects and keeps itself bound; after stop(), starts afresh. Call start and stop from one
  /// thread at a time.
  void start();
  /// Unbinds (waiting at most a second for unbind_resp), closes and joins. Idempotent.
  void stop();

  /// Queues a submit_sm; returns its sequence number, or 0 when not bound (nothing queued).
  uint32_t submit(const sm_body& sm);
  /// Answers a deliver_sm.
  void ack_deliver(uint32_t sequence, uint32_t status);

  bool bound() const { return bound_.load(); }
  int index() const { return index_; }

 private:
  void run();
  bool connect_and_bind(std::string& why);
  bool connect_in_time(const ::sockaddr* addr, ::socklen_t len, std::string& why);
  static int jittered(int backoff_ms);
  bool serve(std::string& why);
  void queue(const pdu& p);
  bool flush(std::string& why);
  void handle(const pdu& p, std::string& why, bool& closing);
  void close_socket();
  uint32_t next_sequence();

  session_settings settings_;
  int index_;
  session_handler* handler_;
  int fd_ = -1;
  int wake_fd_ = -1;
  std::mutex out_mtx_;
  std::string out_;      // queued by any thread
  std::string sending_;  // owned by the I/O thread
  std::string in_;
  std::atomic<uint32_t> sequence_{0};
  std::atomic<bool> bound_{false};
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace ivrcast::connectors::smpp
