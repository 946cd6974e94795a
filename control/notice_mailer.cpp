#include "control/notice_mailer.hpp"

#include <algorithm>
#include <vector>

#include <spdlog/spdlog.h>

#include "connectors/smtp/mailer.hpp"
#include "control/notices.hpp"
#include "control/writer.hpp"
#include "messages/errc.hpp"
#include "storage/control_state.hpp"

namespace ivrcast::control {
namespace {

constexpr auto pass_interval = std::chrono::seconds{2};

}  // namespace

notice_mailer::notice_mailer(const storage::control_state& state, writer& out,
                             const connectors::smtp::mailer& mail, std::string node,
                             std::string support, std::function<int64_t()> now)
    : state_(&state),
      out_(&out),
      mail_(&mail),
      node_(std::move(node)),
      support_(std::move(support)),
      now_(std::move(now)) {}

notice_mailer::~notice_mailer() {
  stop();
}

void notice_mailer::start() {
  thread_ = std::thread{[this] { run(); }};
}

void notice_mailer::stop() {
  {
    std::lock_guard<std::mutex> guard{mtx_};
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable())
    thread_.join();
}

void notice_mailer::wake() {
  {
    std::lock_guard<std::mutex> guard{mtx_};
    woken_ = true;
  }
  cv_.notify_all();
}

void notice_mailer::run() {
  bool starting = true;
  while (true) {
    pass(starting);
    starting = false;
    std::unique_lock<std::mutex> guard{mtx_};
    cv_.wait_for(guard, pass_interval, [this] { return stop_ || woken_; });
    if (stop_)
      return;
    woken_ = false;
  }
}

void notice_mailer::pass(bool starting) {
  std::vector<std::string> to_send;
  std::vector<std::string> doubtful;
  auto now = now_();
  auto scanned = state_->scan("mail/", [&](std::string_view key, const wire::ControlRecord& r) {
    const auto& m = r.notice_mail();
    if (in_doubt_now(m, node_, starting, now))
      doubtful.emplace_back(key);
    else if (claimable(m, now))
      to_send.emplace_back(key);
    return true;
  });
  if (!scanned) {
    spdlog::error("event=notice_mails_unreadable error=\"{}\"", describe(scanned.error()));
    return;
  }
  for (const auto& key : doubtful) {
    auto marked = out_->update(key, [&](std::optional<wire::ControlRecord>& cur) {
      if (!cur || !in_doubt_now(cur->notice_mail(), node_, starting, now_()))
        return mutation_result::leave;
      auto& m = *cur->mutable_notice_mail();
      spdlog::warn("event=notice_mail_in_doubt mail={} node={}", m.mail_id(), m.node());
      m.set_state(wire::NoticeMail::IN_DOUBT);
      m.set_at_ms(now_());
      return mutation_result::write;
    });
    if (!marked)
      spdlog::error("event=notice_mail_unmarked key={} error=\"{}\"", key,
                    describe(marked.error()));
  }
  for (const auto& key : to_send)
    if (!send(key))
      return;
}

bool notice_mailer::send(const std::string& key) {
  {
    std::lock_guard<std::mutex> guard{mtx_};
    if (stop_)
      return false;
  }
  wire::NoticeMail claimed;
  auto won = out_->update(key, [&](std::optional<wire::ControlRecord>& cur) {
    if (!cur || !claimable(cur->notice_mail(), now_()))
      return mutation_result::leave;  // another node has it, or it went out meanwhile
    auto& m = *cur->mutable_notice_mail();
    m.set_state(wire::NoticeMail::SENDING);
    m.set_node(node_);
    m.set_at_ms(now_());
    m.set_attempts(m.attempts() + 1);
    claimed = m;
    return mutation_result::write;
  });
  if (!won) {
    spdlog::error("event=notice_mail_claim_failed key={} error=\"{}\"", key, describe(won.error()));
    return true;
  }
  if (!*won)
    return true;
  auto notice = state_->get("notice/" + claimed.notice_id());
  auto event = notice_event_from(claimed.event());
  std::string error;
  connectors::smtp::mail_outcome outcome = connectors::smtp::mail_outcome::failed;
  if (!notice || !*notice || !event) {
    error = "notice " + claimed.notice_id() + " is unreadable";
  } else {
    recipient r{claimed.account_id(), claimed.email(), claimed.name()};
    auto to = r.name.empty() ? r.email : r.name + " <" + r.email + ">";
    // The same mail keeps one Message-ID across attempts: a receiver can tell a repeat.
    std::string message_id = "<" + claimed.mail_id() + "@ivrcast>";
    std::replace(message_id.begin(), message_id.end(), '/', '.');
    outcome = mail_->deliver(to, "notice_" + claimed.event(),
                             mail_values((*notice)->notice(), *event, r, support_), message_id);
    if (outcome != connectors::smtp::mail_outcome::sent)
      error = outcome == connectors::smtp::mail_outcome::not_configured
                  ? "no smtp.url configured"
                  : connectors::smtp::mailer::last_error();
  }
  auto done = out_->update(key, [&](std::optional<wire::ControlRecord>& cur) {
    if (!cur || cur->notice_mail().state() != wire::NoticeMail::SENDING ||
        cur->notice_mail().node() != node_)
      return mutation_result::leave;
    auto& m = *cur->mutable_notice_mail();
    m.set_at_ms(now_());
    if (outcome == connectors::smtp::mail_outcome::sent) {
      m.set_state(wire::NoticeMail::SENT);
      m.clear_error();
    } else {
      m.set_state(wire::NoticeMail::FAILED);
      m.set_error(error);
      if (outcome == connectors::smtp::mail_outcome::not_configured)
        m.set_attempts(max_mail_attempts);  // nothing to retry with
    }
    return mutation_result::write;
  });
  if (!done)
    spdlog::error("event=notice_mail_unrecorded key={} outcome={} error=\"{}\"", key,
                  connectors::smtp::to_string(outcome), describe(done.error()));
  return true;
}

}  // namespace ivrcast::control
