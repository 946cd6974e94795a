#include "connectors/gateway/codec.hpp"
#include "connectors/delivery/codec.hpp"
#include "connectors/delivery/job_codec.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "connectors/control/codec.hpp"
#include "connectors/control/flow_file.hpp"
#include "messages/errc.hpp"
#include "messages/gateway.pb.h"
#include "messages/sms.pb.h"

namespace ivrcast::connectors {
namespace {

std::string started_bytes(const std::string& call, const std::string& called) {
  wire::CallEvent pb;
  pb.set_call_id(call);
  pb.set_gateway_id("gw");
  pb.set_occurred_at_ms(1);
  pb.mutable_started()->set_called(called);
  return pb.SerializeAsString();
}

TEST(GatewayCodecTest, DecodesAndNormalisesAValidStart) {
  auto ev = gateway::decode_event("c1", started_bytes("c1", "+81 50-1111-0001"), 42);
  ASSERT_TRUE(ev) << describe(ev.error());
  EXPECT_EQ(ev->called, "05011110001");
  EXPECT_EQ(ev->offset, 42);
  EXPECT_EQ(ev->kind, messages::call_event_kind::started);
}

TEST(GatewayCodecTest, TellsAStartFromItsWireFormatAsDecodingWould) {
  wire::CallEvent ended;
  ended.set_call_id("c1");
  ended.mutable_ended();
  wire::CallEvent digits;
  digits.set_call_id("c1");
  digits.mutable_digits_collected()->set_digits("0901");
  auto start = started_bytes("c1", "0501111000");
  struct row {
    const char* name;
    std::string value;
    bool start;
  };
  // Two messages concatenated merge: of a oneof, the last one present is the kind.
  std::vector<row> rows{
      {"a start", start, true},
      {"an end", ended.SerializeAsString(), false},
      {"digits", digits.SerializeAsString(), false},
      {"no kind", "", false},
      {"an end after a start", start + ended.SerializeAsString(), false},
      {"a start after an end", ended.SerializeAsString() + start, true},
      {"garbage", "\xff\xff\xff\xff", false},
      {"a start cut short", start.substr(0, start.size() - 2), false},
  };
  for (const auto& r : rows) {
    EXPECT_EQ(gateway::is_start_event(r.value), r.start) << r.name;
    wire::CallEvent pb;
    if (pb.ParseFromString(r.value)) {
      EXPECT_EQ(pb.kind_case() == wire::CallEvent::kStarted, r.start) << r.name << " (protobuf)";
    }
  }
}

TEST(GatewayCodecTest, RefusesBadRecordsSayingWhy) {
  wire::CallEvent no_kind;
  no_kind.set_call_id("c1");
  no_kind.set_gateway_id("gw");
  no_kind.set_occurred_at_ms(1);
  wire::CallEvent bad_digits = no_kind;
  bad_digits.mutable_digits_collected()->set_command_seq(1);
  bad_digits.mutable_digits_collected()->set_digits("09#");
  bad_digits.mutable_digits_collected()->set_end(wire::INPUT_END_TERMINATOR);
  wire::CallEvent no_end = no_kind;
  no_end.mutable_digits_collected()->set_command_seq(1);
  struct row {
    const char* name;
    std::string key;
    std::string value;
    const char* reason;
  };
  std::vector<row> rows{
      {"garbage", "c1", "\xff\xff\xff\xff", "not a CallEvent"},
      {"key differs", "c2", started_bytes("c1", "0501111000"), "record key must equal call_id"},
      {"empty call id", "", started_bytes("", "0501111000"), "call_id"},
      {"called not a number", "c1", started_bytes("c1", "hello"), "started.called"},
      {"no event", "c1", no_kind.SerializeAsString(), "has no event"},
      {"bad digits", "c1", bad_digits.SerializeAsString(), "digits_collected.digits"},
      {"no end", "c1", no_end.SerializeAsString(), "digits_collected.end"},
  };
  for (const auto& r : rows) {
    SCOPED_TRACE(r.name);
    auto ev = gateway::decode_event(r.key, r.value, 0);
    ASSERT_FALSE(ev);
    EXPECT_NE(describe(ev.error()).find(r.reason), std::string::npos) << describe(ev.error());
  }
}

TEST(GatewayCodecTest, CommandsAndJobsRoundTrip) {
  messages::call_command cmd;
  cmd.call = call_id{"c1"};
  cmd.gateway = gateway_id{"gw"};
  cmd.seq = 2;
  cmd.language = "ja-JP";
  messages::action play;
  play.prompt_id = "step5";
  play.text = "もう一度";
  messages::action collect;
  collect.kind = messages::action_kind::collect;
  collect.max_digits = 11;
  collect.timeout_ms = 10000;
  collect.terminators = "#";
  cmd.actions = {play, collect};
  std::string buf;
  gateway::encode(cmd, buf);
  auto back = gateway::decode_command(buf);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->seq, 2u);
  ASSERT_EQ(back->actions.size(), 2u);
  EXPECT_EQ(back->actions[0].text, "もう一度");
  EXPECT_EQ(back->actions[1].max_digits, 11u);
  // The encoder reuses its message per thread: the next command carries nothing of this one.
  messages::call_command hangup;
  hangup.call = call_id{"c2"};
  hangup.gateway = gateway_id{"gw"};
  hangup.seq = 3;
  messages::action bye;
  bye.kind = messages::action_kind::hangup;
  hangup.actions = {bye};
  gateway::encode(hangup, buf);
  back = gateway::decode_command(buf);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->call.value, "c2");
  ASSERT_EQ(back->actions.size(), 1u);
  EXPECT_EQ(back->actions[0].kind, messages::action_kind::hangup);
  EXPECT_TRUE(back->actions[0].text.empty());
  EXPECT_EQ(back->language, "");
  messages::sms_job job;
  job.job = job_id{"v1-c1"};
  job.destination = "09012345678";
  job.body = "本文";
  delivery::encode_job(job, buf);
  EXPECT_FALSE(delivery::decode_job(buf));  // no requested time: the sender could not age it
  job.requested_at_ms = 1767225600000;
  delivery::encode_job(job, buf);
  auto j = delivery::decode_job(buf);
  ASSERT_TRUE(j);
  EXPECT_EQ(j->job.value, "v1-c1");
  EXPECT_EQ(j->body, "本文");
}

const char* good_file = R"({
  "accounts": [{"account_id": "a", "state": "active", "incoming_numbers": ["050-1111-0001"],
                "sender_ids": ["0312345678"]}],
  "flows": [{"incoming_number": "05011110001", "account_id": "a",
             "steps": {"1": {"text": "x"}, "2": {"text": "y"}, "4": {"audio_url": "u"},
                       "5": {"text": "z"}},
             "sms": {"sender_id": "0312345678", "body": "b"}}]})";

TEST(StatusCodecTest, ADetailsTextMustBeUtf8AndTheRefusalNamesTheField) {
  // LogDetail's text is bytes on the wire, which protobuf does not check: decode_status does.
  auto event = [](const std::function<void(wire::LogDetail&)>& edit) {
    wire::StatusEvent ev;
    ev.set_kind(wire::StatusEvent::ACCEPTED);
    ev.set_message_id("m1");
    auto* d = ev.mutable_detail();
    d->set_requested_at_ms(1);
    d->set_destination("09012345678");
    d->set_body("ご予約を承りました");
    d->add_links()->set_url("https://example.com/r");
    edit(*d);
    return ev.SerializeAsString();
  };
  auto good = delivery::decode_status(event([](wire::LogDetail&) {}));
  ASSERT_TRUE(good) << describe(good.error());
  EXPECT_EQ(good->detail().body(), "ご予約を承りました");
  for (auto [edit, why] :
       std::vector<std::pair<std::function<void(wire::LogDetail&)>, std::string>>{
           {[](wire::LogDetail& d) { d.set_body("ご予約\xe3"); }, "detail.body (byte 9)"},
           {[](wire::LogDetail& d) { d.set_flow_name("\xc0\xaf"); }, "detail.flow_name (byte 0)"},
           {[](wire::LogDetail& d) { d.set_account_id("acc\xff"); }, "detail.account_id (byte 3)"},
           {[](wire::LogDetail& d) { d.mutable_links(0)->set_url("https://x/\xed\xa0\x80"); },
            "detail.links[0].url (byte 10)"}}) {
    auto got = delivery::decode_status(event(edit));
    ASSERT_FALSE(got) << why;
    EXPECT_NE(describe(got.error()).find("status event of m1: " + why + " is not UTF-8"),
              std::string::npos)
        << describe(got.error());
  }
}

TEST(FlowFileTest, ParsesAndDerivesAStableVersion) {
  auto f = control::parse_flow_file(good_file);
  ASSERT_TRUE(f) << describe(f.error());
  ASSERT_EQ(f->flows.size(), 1u);
  EXPECT_EQ(f->flows[0].incoming_number(), "05011110001");
  EXPECT_EQ(f->flows[0].version_id(), control::parse_flow_file(good_file)->flows[0].version_id());
  EXPECT_EQ(f->flows[0].name(), "IVRCampaign_" + f->flows[0].version_id());  // one 案件名
  messages::flow_table table;
  wire::ControlRecord acc, flow;
  *acc.mutable_account() = f->accounts[0];
  *flow.mutable_flow() = f->flows[0];
  ASSERT_TRUE(control::apply_record("account/a", &acc, table));
  ASSERT_TRUE(control::apply_record("flow/05011110001", &flow, table));
  EXPECT_EQ(table.flows.at("05011110001")->step4.audio_url, "u");
  ASSERT_TRUE(control::apply_record("flow/05011110001", nullptr, table));  // tombstone: deleted
  EXPECT_TRUE(table.flows.empty());
  flow.mutable_flow()->set_incoming_number("not a number");
  EXPECT_FALSE(control::apply_record("flow/05011110001", &flow, table));
}

TEST(FlowFileTest, RefusesRuleBreakersNamingThePath) {
  std::string long_text(101, 'x');
  std::string body(661, 'x');
  auto text = std::string{good_file};
  auto replace = [&](std::string from, std::string to) {
    auto t = text;
    t.replace(t.find(from), from.size(), to);
    return t;
  };
  struct row {
    std::string json;
    const char* expect;
  };
  std::vector<row> rows{
      {"not json", "not a JSON object"},
      {replace(R"("text": "x")", "\"text\": \"" + long_text + "\""), "flows[0].steps.1.text"},
      {replace(R"("body": "b")", "\"body\": \"" + body + "\""), "flows[0].sms.body"},
      {replace(R"("sender_id": "0312345678", "body")", R"("sender_id": "0399999999", "body")"),
       "flows[0].sms.sender_id"},
      {replace(R"("5": {"text": "z"})", R"("5": {"text": "z", "audio_url": "q"})"),
       "flows[0].steps.5"},
      {replace(R"("state": "active")", R"("state": "open")"), "accounts[0].state"},
      {replace(R"("incoming_number": "05011110001",)",
               R"("incoming_number": "05011110001", "name": "来店予約",)"),
       "flows[0].name: 案件名 is always IVRCampaign_"},
      {replace(R"("account_id": "a", "state")",
               R"("account_id": "a", "enterprise_id": "e9", "state")"),
       "accounts[0].enterprise_id: names no enterprise"},
      {replace(R"("incoming_number": "05011110001")", R"("incoming_number": "05011110002")"),
       "is not one of the account's incoming numbers"},
      // Found by tests/fuzz (flow_file): elements of the wrong kind threw out of the parser.
      {R"({"accounts": [81]})", "accounts[0]: must be an object"},
      {R"({"enterprises": "e1"})", "enterprises: must be an array"},
      {R"({"flows": [7, {"steps": []}]})", "flows[0]: must be an object"},
      {R"({"flows": [{"steps": [], "sms": 3}]})", "flows[0].steps: must be an object"},
      {R"({"accounts": [{"account_id": "a", "state": "active", "sender_ids": {}}]})",
       "accounts[0].sender_ids: must be an array"},
  };
  for (const auto& r : rows) {
    SCOPED_TRACE(r.expect);
    auto f = control::parse_flow_file(r.json);
    ASSERT_FALSE(f);
    EXPECT_NE(describe(f.error()).find(r.expect), std::string::npos) << describe(f.error());
  }
}

}  // namespace
}  // namespace ivrcast::connectors
