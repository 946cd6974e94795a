// Writes the first seeds of every harness into <dir>/<harness>/: one valid input of each kind
// the decoder takes, built with our own encoders so they stay valid as the formats change.
// The committed corpora (tests/fuzz/corpus) started from these and grew by fuzzing.

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "connectors/control/flow_file.hpp"
#include "connectors/delivery/job_codec.hpp"
#include "connectors/gateway/codec.hpp"
#include "connectors/smpp/pdu.hpp"
#include "messages/control.pb.h"
#include "messages/sms.pb.h"

using namespace ivrcast;
using namespace std::literals;
namespace fs = std::filesystem;

namespace {

fs::path root;

void seed(const char* harness, const std::string& name, std::string_view bytes) {
  auto dir = root / harness;
  fs::create_directories(dir);
  std::ofstream{dir / name, std::ios::binary}.write(bytes.data(),
                                                    static_cast<std::streamsize>(bytes.size()));
}

std::string keyed(std::string_view key, std::string_view value) {
  std::string out{key};
  out += '\0';
  out += value;
  return out;
}

void call_events() {
  using namespace messages;
  call_event ev;
  ev.call = call_id{"call-1"};
  ev.gateway = gateway_id{"gw-1"};
  ev.occurred_at_ms = 1764547200000;
  ev.sequence = 1;
  ev.called = "0501111000";
  ev.calling = "09012345678";
  std::string buf;
  connectors::gateway::encode(ev, buf);
  seed("call_event", "started", keyed("call-1", buf));
  ev.kind = call_event_kind::digits_collected;
  ev.command_seq = 2;
  ev.digits = "09012345678";
  ev.end = input_end::terminator;
  buf.clear();
  connectors::gateway::encode(ev, buf);
  seed("call_event", "digits", keyed("call-1", buf));
  ev.kind = call_event_kind::ended;
  buf.clear();
  connectors::gateway::encode(ev, buf);
  seed("call_event", "ended", keyed("call-1", buf));

  call_command cmd;
  cmd.call = call_id{"call-1"};
  cmd.gateway = gateway_id{"gw-1"};
  cmd.seq = 2;
  cmd.issued_at_ms = 1764547200000;
  cmd.language = "ja";
  cmd.actions.push_back({action_kind::play, "p1", "お電話ありがとうございます", "", 0, 0, "", {}});
  cmd.actions.push_back({action_kind::collect, "", "", "", 11, 10000, "#", {}});
  buf.clear();
  connectors::gateway::encode(cmd, buf);
  seed("call_event", "command", keyed("", buf));
}

messages::sms_job job() {
  messages::sms_job j;
  j.job = job_id{"call-1"};
  j.call = call_id{"call-1"};
  j.account = account_id{"acct-1"};
  j.incoming_number = "0501111000";
  j.flow_version = flow_version_id{"v1"};
  j.flow_name = "案件1";
  j.destination = "09012345678";
  j.sender_id = "0501111000";
  j.body = "ご来店ありがとうございます https://example.jp/a";
  j.short_urls = true;
  j.requested_at_ms = 1764547200000;
  j.decided_at_ms = 1764547200100;
  return j;
}

void sms_jobs() {
  std::string buf;
  connectors::delivery::encode_job(job(), buf);
  seed("sms_job", "job", buf);
}

void status_events() {
  wire::StatusEvent ev;
  ev.set_message_id("call-1");
  ev.set_at_ms(1764547200000);
  auto* d = ev.mutable_detail();
  d->set_job_id("call-1");
  d->set_account_id("acct-1");
  d->set_requested_at_ms(1764547200000);
  d->set_destination("09012345678");
  d->set_carrier(2);
  d->set_body("本文");
  ev.set_kind(wire::StatusEvent::ACCEPTED);
  seed("status_event", "accepted", ev.SerializeAsString());
  ev.set_kind(wire::StatusEvent::SUBMITTED);
  ev.add_smsc_ids("1a2b");
  seed("status_event", "submitted", ev.SerializeAsString());
  ev.set_kind(wire::StatusEvent::FINAL);
  ev.set_status(8);
  seed("status_event", "final", ev.SerializeAsString());
  wire::StatusEvent r;
  r.set_kind(wire::StatusEvent::RECEIPT);
  r.set_carrier(2);
  r.set_smsc_id("6699");
  r.set_receipt_state(2);
  r.set_handset("09012345678");
  seed("status_event", "receipt", r.SerializeAsString());
}

std::string read_file(const fs::path& p) {
  std::ifstream in{p, std::ios::binary};
  return {std::istreambuf_iterator<char>{in}, {}};
}

void control_records(const fs::path& source) {
  auto text = read_file(source / "config/flows.example.json");
  seed("flow_file", "example", text);
  auto f = connectors::control::parse_flow_file(text);
  if (!f)
    return;
  wire::ControlRecord r;
  *r.mutable_account() = f->accounts.at(0);
  seed("control_record", "account",
       keyed("account/" + r.account().account_id(), r.SerializeAsString()));
  *r.mutable_flow() = f->flows.at(0);
  seed("control_record", "flow",
       keyed("flow/" + r.flow().incoming_number(), r.SerializeAsString()));
}

void smpp() {
  using namespace connectors::smpp;
  std::string stream;
  pdu bind;
  bind.command_id = cmd::bind_transceiver;
  bind.sequence = 1;
  bind.bind.system_id = "ivrcast";
  bind.bind.password = "secret";
  encode(bind, stream);
  pdu resp;
  resp.command_id = cmd::submit_sm | cmd::resp_bit;
  resp.sequence = 2;
  resp.id = "0a1b2c";
  encode(resp, stream);
  seed("smpp_pdu", "bind_and_resp", stream);

  pdu dlr;
  dlr.command_id = cmd::deliver_sm;
  dlr.sequence = 3;
  dlr.sm.source_addr = "819012345678";
  dlr.sm.esm_class = 0x04;
  dlr.sm.short_message =
      "id:0a1b2c sub:001 dlvrd:001 submit date:2512010900 done date:2512010901 stat:DELIVRD "
      "err:000 text:";
  dlr.sm.tlvs.push_back({tag::receipted_message_id, std::string{"0a1b2c\0", 7}});
  dlr.sm.tlvs.push_back({tag::message_state, std::string{"\x02", 1}});
  std::string one;
  encode(dlr, one);
  seed("smpp_pdu", "receipt", one);

  pdu submit;
  submit.command_id = cmd::submit_sm;
  submit.sequence = 4;
  submit.sm.destination_addr = "819012345678";
  submit.sm.data_coding = 8;
  submit.sm.short_message = std::string{"\x30\x42\x30\x44", 4};
  submit.sm.tlvs.push_back({tag::user_message_reference, std::string{"\x00\x01", 2}});
  one.clear();
  encode(submit, one);
  seed("smpp_pdu", "submit", one);
}

void put_le(std::string& out, uint32_t v, int bytes) {
  for (int i = 0; i < bytes; ++i)
    out += static_cast<char>((v >> (8 * i)) & 0xFF);
}

void wav() {
  // 0.1 s of 8 kHz μ-law mono silence: the format the rules accept.
  const uint32_t samples = 800;
  std::string w = "RIFF";
  put_le(w, 4 + 26 + 12 + 8 + samples, 4);
  w += "WAVEfmt ";
  put_le(w, 18, 4);
  put_le(w, 7, 2);  // μ-law
  put_le(w, 1, 2);
  put_le(w, 8000, 4);
  put_le(w, 8000, 4);
  put_le(w, 1, 2);
  put_le(w, 8, 2);
  put_le(w, 0, 2);
  w += "fact";
  put_le(w, 4, 4);
  put_le(w, samples, 4);
  w += "data";
  put_le(w, samples, 4);
  w.append(samples, '\xFF');
  seed("wav", "ulaw_8k_mono", w);
}

void http_json() {
  seed("http_json", "login", "\x00{\"email\":\"a@example.jp\",\"password\":\"Pass-word-12\"}"sv);
  seed("http_json", "steps",
       "\x05{\"steps\":{\"1\":{\"text\":\"ようこそ\"}},\"sms\":{\"body\":\"x\"}}"sv);
  seed("http_json", "contacts", "\x09{\"contacts\":[{\"email\":\"a@b.jp\",\"name\":\"n\"}]}"sv);
}

void text() {
  seed("text", "phone", "\x00+81 (90) 1234-5678"sv);
  seed("text", "csv", "\x01=SUM(A1:A2),\"x\"\r\n"sv);
  seed("text", "date",
       "\x02"
       "2026-12-01T09:30:15"sv);
  seed("text", "urls", "\x03詳細は https://例え.jp/a?b=1。 と (http://x.jp/y), です."sv);
  seed("text", "parts", "\x04ご来店ありがとうございます😀"sv);
  seed("text", "tables", "\x05" + keyed("090,docomo\n0801,au\n# c\n", "09012345678,softbank\n"));
  seed("text", "log_query", "\x06\x00\x00\x01\x9a\x3c\x2b\x1a\x00job-1.1"sv);
  seed("text", "log_status", "\x06partially_failed"sv);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: %s <corpus dir> <source dir>\n", argv[0]);
    return 2;
  }
  root = argv[1];
  call_events();
  sms_jobs();
  status_events();
  control_records(argv[2]);
  smpp();
  wav();
  http_json();
  text();
  return 0;
}
