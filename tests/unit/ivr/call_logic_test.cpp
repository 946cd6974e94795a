#include "ivr/call_logic.hpp"

#include <gtest/gtest.h>

#include "config/load.hpp"

namespace ivrcast::ivr {
namespace {

using messages::action_kind;
using messages::input_end;

config::ivr_settings defaults() {
  return config::load("", [](const char*) -> const char* { return nullptr; })->ivr;
}

std::shared_ptr<const messages::published_flow> flow() {
  auto f = std::make_shared<messages::published_flow>();
  f->incoming_number = "05011110001";
  f->account = account_id{"acc"};
  f->version = flow_version_id{"v1"};
  f->step1.text = "one";
  f->step2.text = "two";
  f->step4.audio_url = "https://x/four.wav";
  f->step5.text = "five";
  return f;
}

/// "step1,step2,collect" for a decision's actions.
std::string script(const call_decision& d) {
  std::string out;
  for (const auto& a : d.actions) {
    if (!out.empty())
      out += ",";
    out += a.kind == action_kind::play      ? a.prompt_id
           : a.kind == action_kind::collect ? std::string{"collect"}
                                            : std::string{"hangup"};
  }
  return out;
}

struct entry {
  std::string digits;
  input_end end;
};

struct row {
  const char* name;
  bool has_flow;
  bool active;
  std::string calling;
  std::vector<entry> entries;
  std::vector<std::string> commands;  // script of each command, in order
  std::string sms_to;                 // empty: no SMS
  call_outcome outcome;
};

const std::vector<row>& table() {
  static const std::vector<row> rows{
      {"mobile 090 caller",
       true,
       true,
       "09012345678",
       {},
       {"step4,hangup"},
       "09012345678",
       call_outcome::sms_requested},
      {"mobile 080 caller in +81 form",
       true,
       true,
       "+81-80-1234-5678",
       {},
       {"step4,hangup"},
       "08012345678",
       call_outcome::sms_requested},
      {"mobile 070 caller in 0081 form",
       true,
       true,
       "00817012345678",
       {},
       {"step4,hangup"},
       "07012345678",
       call_outcome::sms_requested},
      {"landline caller keys a valid number",
       true,
       true,
       "0312345678",
       {{"09087654321", input_end::max_digits}},
       {"step1,step2,collect", "step4,hangup"},
       "09087654321",
       call_outcome::sms_requested},
      {"IP phone caller keys a valid number then #",
       true,
       true,
       "05098765432",
       {{"07011112222", input_end::terminator}},
       {"step1,step2,collect", "step4,hangup"},
       "07011112222",
       call_outcome::sms_requested},
      {"withheld caller keys a valid number",
       true,
       true,
       "",
       {{"08011112222", input_end::max_digits}},
       {"step1,step2,collect", "step4,hangup"},
       "08011112222",
       call_outcome::sms_requested},
      {"anonymous caller",
       true,
       true,
       "anonymous",
       {{"08011112222", input_end::max_digits}},
       {"step1,step2,collect", "step4,hangup"},
       "08011112222",
       call_outcome::sms_requested},
      {"11-digit non-mobile caller (050) is not a mobile",
       true,
       true,
       "05011112222",
       {{"09011112222", input_end::max_digits}},
       {"step1,step2,collect", "step4,hangup"},
       "09011112222",
       call_outcome::sms_requested},
      {"one invalid entry then valid",
       true,
       true,
       "0312345678",
       {{"12345", input_end::terminator}, {"09011112222", input_end::max_digits}},
       {"step1,step2,collect", "step5,collect", "step4,hangup"},
       "09011112222",
       call_outcome::sms_requested},
      {"timeout then valid on the third try",
       true,
       true,
       "0312345678",
       {{"", input_end::timeout},
        {"090", input_end::terminator},
        {"09011112222", input_end::max_digits}},
       {"step1,step2,collect", "step5,collect", "step5,collect", "step4,hangup"},
       "09011112222",
       call_outcome::sms_requested},
      {"three timeouts give up",
       true,
       true,
       "0312345678",
       {{"", input_end::timeout}, {"", input_end::timeout}, {"", input_end::timeout}},
       {"step1,step2,collect", "step5,collect", "step5,collect", "step6,hangup"},
       "",
       call_outcome::gave_up},
      {"# early three times gives up",
       true,
       true,
       "0312345678",
       {{"", input_end::terminator},
        {"0901", input_end::terminator},
        {"090123", input_end::terminator}},
       {"step1,step2,collect", "step5,collect", "step5,collect", "step6,hangup"},
       "",
       call_outcome::gave_up},
      {"landline and non-mobile 11 digits are failed entries",
       true,
       true,
       "0312345678",
       {{"0312345678", input_end::terminator},
        {"05012345678", input_end::max_digits},
        {"99999999999", input_end::max_digits}},
       {"step1,step2,collect", "step5,collect", "step5,collect", "step6,hangup"},
       "",
       call_outcome::gave_up},
      {"10 digits with a mobile prefix is invalid",
       true,
       true,
       "0312345678",
       {{"0901234567", input_end::terminator}, {"", input_end::timeout}, {"", input_end::timeout}},
       {"step1,step2,collect", "step5,collect", "step5,collect", "step6,hangup"},
       "",
       call_outcome::gave_up},
      {"star in the digits is invalid",
       true,
       true,
       "0312345678",
       {{"090*1234567", input_end::max_digits}, {"09011112222", input_end::max_digits}},
       {"step1,step2,collect", "step5,collect", "step4,hangup"},
       "09011112222",
       call_outcome::sms_requested},
      {"no published flow is rejected",
       false,
       true,
       "09012345678",
       {},
       {"rejected,hangup"},
       "",
       call_outcome::rejected},
      {"terminated account is rejected",
       true,
       false,
       "0312345678",
       {},
       {"rejected,hangup"},
       "",
       call_outcome::rejected},
  };
  return rows;
}

class CallLogicTest : public ::testing::Test {
 protected:
  config::ivr_settings settings_ = defaults();
};

TEST_F(CallLogicTest, EveryBranchOfTheCallLogic) {
  for (const auto& r : table()) {
    SCOPED_TRACE(r.name);
    call_logic logic{settings_, r.has_flow ? flow() : nullptr, r.active};
    std::vector<std::string> commands;
    std::string sms;
    auto d = logic.start(r.calling);
    commands.push_back(script(d));
    if (d.sms_to)
      sms = *d.sms_to;
    for (const auto& e : r.entries) {
      ASSERT_FALSE(d.finished);
      d = logic.digits(logic.commands_issued(), e.digits, e.end);
      commands.push_back(script(d));
      if (d.sms_to)
        sms = *d.sms_to;
    }
    EXPECT_TRUE(d.finished);
    EXPECT_EQ(commands, r.commands);
    EXPECT_EQ(sms, r.sms_to);
    EXPECT_EQ(logic.outcome(), r.outcome);
    EXPECT_EQ(logic.commands_issued(), r.commands.size());
  }
}

TEST_F(CallLogicTest, CollectUsesElevenDigitsTenSecondsAndHash) {
  call_logic logic{settings_, flow(), true};
  auto d = logic.start("0312345678");
  ASSERT_EQ(d.actions.size(), 3u);
  const auto& c = d.actions[2];
  EXPECT_EQ(c.max_digits, 11u);
  EXPECT_EQ(c.timeout_ms, 10000u);
  EXPECT_EQ(c.terminators, "#");
  EXPECT_EQ(d.actions[0].text, "one");
}

TEST_F(CallLogicTest, AudioGuidanceIsPlayedByUrl) {
  call_logic logic{settings_, flow(), true};
  auto d = logic.start("09012345678");
  EXPECT_EQ(d.actions[0].audio_url, "https://x/four.wav");
  EXPECT_TRUE(d.actions[0].text.empty());
}

TEST_F(CallLogicTest, StaleOrDuplicateDigitsAreIgnored) {
  call_logic logic{settings_, flow(), true};
  auto first = logic.start("0312345678");
  auto again = logic.start("0312345678");
  EXPECT_TRUE(again.actions.empty());
  auto retry = logic.digits(1, "1", input_end::terminator);
  EXPECT_EQ(script(retry), "step5,collect");
  auto stale = logic.digits(1, "09011112222", input_end::max_digits);  // answers command 1
  EXPECT_TRUE(stale.actions.empty());
  EXPECT_FALSE(stale.sms_to);
  EXPECT_EQ(logic.failed_entries(), 1);
}

TEST_F(CallLogicTest, HangUpAtAnyPointFinishesWithoutSms) {
  for (int entries = 0; entries < 3; ++entries) {
    SCOPED_TRACE(entries);
    call_logic logic{settings_, flow(), true};
    (void)logic.start("0312345678");
    for (int i = 0; i < entries; ++i)
      (void)logic.digits(logic.commands_issued(), "", input_end::timeout);
    auto d = logic.ended();
    EXPECT_TRUE(d.finished);
    EXPECT_TRUE(d.actions.empty());
    EXPECT_FALSE(d.sms_to);
    EXPECT_EQ(logic.outcome(), call_outcome::caller_hung_up);
    EXPECT_TRUE(logic.digits(logic.commands_issued(), "09011112222", input_end::max_digits)
                    .actions.empty());
  }
}

TEST_F(CallLogicTest, MaximumDurationHangsUp) {
  call_logic logic{settings_, flow(), true};
  (void)logic.start("0312345678");
  auto d = logic.expire();
  ASSERT_EQ(d.actions.size(), 1u);
  EXPECT_EQ(d.actions[0].cause, messages::hangup_cause::max_duration);
  EXPECT_TRUE(d.finished);
  EXPECT_EQ(logic.outcome(), call_outcome::expired);
}

TEST_F(CallLogicTest, MobilePrefixesAreConfigurable) {
  settings_.mobile_prefixes.push_back("060");
  call_logic logic{settings_, flow(), true};
  auto d = logic.start("06012345678");
  ASSERT_TRUE(d.sms_to);
  EXPECT_EQ(*d.sms_to, "06012345678");
}

}  // namespace
}  // namespace ivrcast::ivr
