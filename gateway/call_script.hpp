#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "messages/calls.hpp"

namespace ivrcast::gateway {

/// What the media side must do for a call, in order.
enum class effect_kind : uint8_t {
  play,             // start playing `play` (after stopping whatever played)
  stop_play,        // stop the prompt now (barge-in, or a newer command)
  prompt_finished,  // send prompt_finished{seq, prompt_id}
  digits,           // send digits_collected{seq, digits, end}
  hangup,           // release the call (our BYE), then send ended{IVR_HUNG_UP}
};

struct effect {
  effect_kind kind = effect_kind::play;
  const messages::action* play = nullptr;  // play: valid until the next command
  uint32_t seq = 0;
  std::string digits;  // digits
  messages::input_end end = messages::input_end::timeout;
};

/// A call's commands executed as the gateway protocol says (docs/gateway-protocol.md), as a
/// pure state machine: inputs are commands, the end of a prompt, keys and time; outputs are
/// effects. Every (call, seq) runs once, a newer command replaces the one running. Collect
/// works as mature IVRs do it: a key during the plays of a command that ends in `collect` stops
/// the prompt and is the first digit; `timeout_ms` starts when the last play ends and restarts
/// on every key; keys outside a collecting command (before a command, during plays of one that
/// does not collect, after its digits were sent) are dropped, never carried into a later collect.
/// One per call, on the gateway's loop thread; no I/O, no clock of its own.
class call_script {
 public:
  /// A command; false (and no effect) when its seq ran already.
  bool command(messages::call_command cmd, int64_t now_ms, std::vector<effect>& out);
  /// The current prompt played to its end (or could not be played).
  void play_done(int64_t now_ms, std::vector<effect>& out);
  /// A key from the caller: 0-9, *, #, A-D.
  void key(char k, int64_t now_ms, std::vector<effect>& out);
  /// Time passed; ends a collect whose timeout ran out.
  void tick(int64_t now_ms, std::vector<effect>& out);
  /// The call is over (either side): every later input is ignored.
  void end() { stage_ = stage::done; }

  bool done() const { return stage_ == stage::done; }
  /// Nothing to play or collect: waiting for the IVR's next command.
  bool idle() const { return stage_ == stage::idle; }
  bool collecting() const { return stage_ == stage::collecting; }
  /// When the running collect times out (meaningful while collecting()).
  int64_t deadline_ms() const { return deadline_ms_; }
  /// Seq of the last command taken (0: none yet).
  uint32_t last_seq() const { return cmd_.seq; }

 private:
  enum class stage : uint8_t { idle, playing, collecting, done };

  void advance(int64_t now_ms, std::vector<effect>& out);
  void feed(char k, int64_t now_ms, std::vector<effect>& out);
  void finish(messages::input_end end, int64_t now_ms, std::vector<effect>& out);

  messages::call_command cmd_;
  size_t next_ = 0;               // next action to run
  size_t collect_at_ = SIZE_MAX;  // index of the command's first collect
  const messages::action* playing_ = nullptr;
  const messages::action* collect_ = nullptr;
  stage stage_ = stage::idle;
  std::string digits_;
  int64_t deadline_ms_ = 0;
};

}  // namespace ivrcast::gateway
