// The gateway's collect semantics (docs/gateway-protocol.md), step by step.

#include <gtest/gtest.h>

#include "gateway/call_script.hpp"

namespace ivrcast::gateway {
namespace {

using messages::action;
using messages::action_kind;
using messages::call_command;
using messages::input_end;

action play(const char* id) {
  action a;
  a.kind = action_kind::play;
  a.prompt_id = id;
  a.audio_url = std::string{"http://n/"} + id + ".wav";
  return a;
}

action collect(uint32_t max = 11, uint32_t timeout = 10000, const char* term = "#") {
  action a;
  a.kind = action_kind::collect;
  a.max_digits = max;
  a.timeout_ms = timeout;
  a.terminators = term;
  return a;
}

action hangup() {
  action a;
  a.kind = action_kind::hangup;
  return a;
}

call_command cmd(uint32_t seq, std::vector<action> actions) {
  call_command c;
  c.seq = seq;
  c.actions = std::move(actions);
  return c;
}

/// One effect as text: "play step1", "stop", "finished step1", "digits 1 090 TERMINATOR",
/// "hangup 3".
std::string text(const effect& e) {
  switch (e.kind) {
    case effect_kind::play:
      return "play " + e.play->prompt_id;
    case effect_kind::stop_play:
      return "stop";
    case effect_kind::prompt_finished:
      return "finished " + e.play->prompt_id;
    case effect_kind::digits: {
      const char* end = e.end == input_end::terminator   ? "TERMINATOR"
                        : e.end == input_end::max_digits ? "MAX_DIGITS"
                                                         : "TIMEOUT";
      return "digits " + std::to_string(e.seq) + " " + e.digits + " " + end;
    }
    case effect_kind::hangup:
      return "hangup " + std::to_string(e.seq);
  }
  return "?";
}

/// An input at a time: 'c' a command, 'p' the prompt played out, 'k' a key, 't' time passes.
struct step {
  int64_t at_ms;
  char input;
  std::string keys;  // 'k': the keys, one input each
  std::vector<std::string> expect;
};

struct script_case {
  const char* name;
  std::vector<call_command> commands;  // taken in order by the 'c' steps
  std::vector<step> steps;
};

class CallScriptTest : public ::testing::TestWithParam<script_case> {};

TEST_P(CallScriptTest, EffectsFollowTheProtocol) {
  const auto& tc = GetParam();
  call_script s;
  size_t next_cmd = 0;
  for (size_t i = 0; i < tc.steps.size(); ++i) {
    const auto& st = tc.steps[i];
    SCOPED_TRACE(std::string{tc.name} + " step " + std::to_string(i));
    std::vector<effect> out;
    switch (st.input) {
      case 'c':
        s.command(tc.commands.at(next_cmd++), st.at_ms, out);
        break;
      case 'p':
        s.play_done(st.at_ms, out);
        break;
      case 'k':
        for (char k : st.keys)
          s.key(k, st.at_ms, out);
        break;
      case 't':
        s.tick(st.at_ms, out);
        break;
    }
    std::vector<std::string> got;
    for (const auto& e : out)
      got.push_back(text(e));
    EXPECT_EQ(got, st.expect);
  }
}

const script_case cases[] = {
    {"landline plays then collects with #",
     {cmd(1, {play("step1"), play("step2"), collect()})},
     {{0, 'c', "", {"play step1"}},
      {3000, 'p', "", {"finished step1", "play step2"}},
      {6000, 'p', "", {"finished step2"}},
      {7000, 'k', "0901234", {}},
      {8000, 'k', "#", {"digits 1 0901234 TERMINATOR"}}}},
    {"max digits ends the entry",
     {cmd(1, {play("step2"), collect()})},
     {{0, 'c', "", {"play step2"}},
      {100, 'p', "", {"finished step2"}},
      {200, 'k', "09012345678", {"digits 1 09012345678 MAX_DIGITS"}}}},
    {"barge-in: a key during step 1 stops it, skips step 2 and is the first digit",
     {cmd(1, {play("step1"), play("step2"), collect()})},
     {{0, 'c', "", {"play step1"}},
      {500, 'k', "0", {"stop"}},
      {600, 'k', "9012345678", {"digits 1 09012345678 MAX_DIGITS"}}}},
    {"barge-in with # ends the entry empty",
     {cmd(1, {play("step5"), collect()})},
     {{0, 'c', "", {"play step5"}}, {10, 'k', "#", {"stop", "digits 1  TERMINATOR"}}}},
    {"the timeout starts when the last play ends",
     {cmd(1, {play("step2"), collect(11, 10000)})},
     {{0, 'c', "", {"play step2"}},
      {9000, 't', "", {}},
      {12000, 'p', "", {"finished step2"}},
      {21999, 't', "", {}},
      {22000, 't', "", {"digits 1  TIMEOUT"}}}},
    {"every key restarts the timeout; partial digits are sent",
     {cmd(1, {collect(11, 10000)})},
     {{0, 'c', "", {}},
      {9000, 'k', "0", {}},
      {18000, 'k', "9", {}},
      {27999, 't', "", {}},
      {28000, 't', "", {"digits 1 09 TIMEOUT"}}}},
    {"keys before a command are dropped",
     {cmd(2, {play("step5"), collect()})},
     {{0, 'k', "123", {}},
      {10, 'c', "", {"play step5"}},
      {20, 'p', "", {"finished step5"}},
      {30, 'k', "#", {"digits 2  TERMINATOR"}}}},
    {"keys after digits_collected never reach the next collect",
     {cmd(1, {collect()}), cmd(2, {play("step5"), collect()})},
     {{0, 'c', "", {}},
      {10, 'k', "1#", {"digits 1 1 TERMINATOR"}},
      {20, 'k', "999", {}},
      {30, 'c', "", {"play step5"}},
      {40, 'p', "", {"finished step5"}},
      {50, 'k', "0#", {"digits 2 0 TERMINATOR"}}}},
    {"keys during plays of a command without collect are dropped",
     {cmd(3, {play("step4"), hangup()})},
     {{0, 'c', "", {"play step4"}},
      {10, 'k', "5", {}},
      {4000, 'p', "", {"finished step4", "hangup 3"}},
      {4010, 'k', "5", {}}}},
    {"a repeated seq runs once",
     {cmd(1, {play("step1"), collect()}), cmd(1, {play("step1"), collect()})},
     {{0, 'c', "", {"play step1"}}, {10, 'c', "", {}}}},
    {"a newer command replaces the running one",
     {cmd(1, {play("step1"), play("step2"), collect()}), cmd(2, {hangup()})},
     {{0, 'c', "", {"play step1"}}, {10, 'c', "", {"stop", "hangup 2"}}, {20, 'p', "", {}}}},
    {"A-D and a non-terminator # are not digits",
     {cmd(1, {collect(11, 10000, "*")})},
     {{0, 'c', "", {}}, {10, 'k', "A1#2", {}}, {20, 'k', "*", {"digits 1 12 TERMINATOR"}}}},
    {"a repeated digit counts twice",
     {cmd(1, {collect()})},
     {{0, 'c', "", {}}, {10, 'k', "09001234567", {"digits 1 09001234567 MAX_DIGITS"}}}},
};

INSTANTIATE_TEST_SUITE_P(Table, CallScriptTest, ::testing::ValuesIn(cases));

}  // namespace
}  // namespace ivrcast::gateway
