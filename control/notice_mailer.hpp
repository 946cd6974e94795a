#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

namespace ivrcast::connectors::smtp {
class mailer;
}
namespace ivrcast::storage {
class control_state;
}

namespace ivrcast::control {

class writer;

/// Sends the notice mails of the control state (NoticeMail records), on every node: a node
/// claims a mail with a conditional write before handing it to the SMTP server, so no mail is
/// sent by two nodes or twice by one; at start, the claims this node left unfinished are marked
/// in doubt and never sent again. Runs a thread between start() and stop().
class notice_mailer {
 public:
  notice_mailer(const storage::control_state& state, writer& out,
                const connectors::smtp::mailer& mail, std::string node, std::string support,
                std::function<int64_t()> now);
  ~notice_mailer();
  notice_mailer(const notice_mailer&) = delete;
  notice_mailer& operator=(const notice_mailer&) = delete;

  void start();
  /// Finishes the mail being sent, then stops. Idempotent.
  void stop();
  /// New mails were written: look now rather than at the next pass.
  void wake();

 private:
  void run();
  /// One pass over the mails; `starting`: the first after start.
  void pass(bool starting);
  /// Claims, sends and records one mail; false when stopping.
  bool send(const std::string& key);

  const storage::control_state* state_;
  writer* out_;
  const connectors::smtp::mailer* mail_;
  std::string node_;
  std::string support_;
  std::function<int64_t()> now_;
  std::mutex mtx_;
  std::condition_variable cv_;
  bool stop_ = false;
  bool woken_ = false;
  std::thread thread_;
};

}  // namespace ivrcast::control
