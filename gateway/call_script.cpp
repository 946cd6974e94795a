#include "gateway/call_script.hpp"

namespace ivrcast::gateway {
namespace {

effect fx(effect_kind k, const messages::action* play = nullptr, uint32_t seq = 0) {
  effect e;
  e.kind = k;
  e.play = play;
  e.seq = seq;
  return e;
}

}  // namespace

using messages::action_kind;
using messages::input_end;

bool call_script::command(messages::call_command cmd, int64_t now_ms, std::vector<effect>& out) {
  if (stage_ == stage::done || cmd.seq <= cmd_.seq)
    return false;  // replayed after a takeover, or the call is over
  if (stage_ == stage::playing)
    out.push_back(fx(effect_kind::stop_play));
  cmd_ = std::move(cmd);
  next_ = 0;
  collect_at_ = SIZE_MAX;
  for (size_t i = 0; i < cmd_.actions.size(); ++i)
    if (cmd_.actions[i].kind == action_kind::collect) {
      collect_at_ = i;
      break;
    }
  playing_ = nullptr;
  collect_ = nullptr;
  digits_.clear();
  stage_ = stage::idle;
  advance(now_ms, out);
  return true;
}

void call_script::advance(int64_t now_ms, std::vector<effect>& out) {
  while (next_ < cmd_.actions.size()) {
    const auto& a = cmd_.actions[next_++];
    switch (a.kind) {
      case action_kind::play:
        stage_ = stage::playing;
        playing_ = &a;
        out.push_back(fx(effect_kind::play, &a, cmd_.seq));
        return;
      case action_kind::collect:
        stage_ = stage::collecting;
        collect_ = &a;
        deadline_ms_ = now_ms + a.timeout_ms;
        return;
      case action_kind::hangup:
        stage_ = stage::done;
        out.push_back(fx(effect_kind::hangup, nullptr, cmd_.seq));
        return;
    }
  }
  stage_ = stage::idle;
}

void call_script::play_done(int64_t now_ms, std::vector<effect>& out) {
  if (stage_ != stage::playing)
    return;
  out.push_back(fx(effect_kind::prompt_finished, playing_, cmd_.seq));
  playing_ = nullptr;
  advance(now_ms, out);
}

void call_script::key(char k, int64_t now_ms, std::vector<effect>& out) {
  if (stage_ == stage::playing && next_ <= collect_at_ && collect_at_ != SIZE_MAX) {
    // Barge-in: the caller knows the flow; the key stops the guidance and starts the entry.
    out.push_back(fx(effect_kind::stop_play));
    playing_ = nullptr;
    next_ = collect_at_;
    advance(now_ms, out);
  }
  if (stage_ == stage::collecting)
    feed(k, now_ms, out);
}

void call_script::feed(char k, int64_t now_ms, std::vector<effect>& out) {
  if (collect_->terminators.find(k) != std::string::npos) {
    finish(input_end::terminator, now_ms, out);
    return;
  }
  if (!((k >= '0' && k <= '9') || k == '*'))
    return;  // A-D, or # when it is no terminator: not part of a number
  digits_ += k;
  if (digits_.size() >= collect_->max_digits) {
    finish(input_end::max_digits, now_ms, out);
    return;
  }
  deadline_ms_ = now_ms + collect_->timeout_ms;
}

void call_script::finish(input_end end, int64_t now_ms, std::vector<effect>& out) {
  auto e = fx(effect_kind::digits, nullptr, cmd_.seq);
  e.digits = std::move(digits_);
  e.end = end;
  digits_.clear();
  collect_ = nullptr;
  out.push_back(std::move(e));
  stage_ = stage::idle;
  advance(now_ms, out);  // actions after the collect, if a command has any
}

void call_script::tick(int64_t now_ms, std::vector<effect>& out) {
  if (stage_ == stage::collecting && now_ms >= deadline_ms_)
    finish(input_end::timeout, now_ms, out);
}

}  // namespace ivrcast::gateway
