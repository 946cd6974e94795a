#include "config/load.hpp"

#include <unistd.h>

#include <charconv>
#include <fstream>
#include <sstream>
#include <vector>

#include "config/defaults.hpp"
#include "messages/errc.hpp"
#include "messages/text.hpp"

namespace ivrcast::config {
namespace {

/// Stores a textual value into settings; returns the broken rule, or empty on success.
using apply_fn = std::function<std::string(settings&, std::string_view)>;

struct key_spec {
  std::string name;
  std::string fallback;
  std::string description;
  apply_fn apply;
};

template <class Section>
apply_fn text(Section settings::*section, std::string Section::*field, bool allow_empty) {
  return [=](settings& s, std::string_view v) -> std::string {
    if (!allow_empty && v.empty())
      return "must not be empty";
    (s.*section).*field = std::string{v};
    return {};
  };
}

template <class Section>
apply_fn integer(Section settings::*section, int Section::*field, int lo, int hi) {
  return [=](settings& s, std::string_view v) -> std::string {
    int out = 0;
    auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
    if (ec != std::errc{} || end != v.data() + v.size() || out < lo || out > hi)
      return "must be an integer from " + std::to_string(lo) + " to " + std::to_string(hi);
    (s.*section).*field = out;
    return {};
  };
}

template <class Section>
apply_fn positive_real(Section settings::*section, double Section::*field) {
  return [=](settings& s, std::string_view v) -> std::string {
    double out = 0;
    auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
    if (ec != std::errc{} || end != v.data() + v.size() || !(out > 0) || out > 1e6)
      return "must be a number greater than 0 and at most 1000000";
    (s.*section).*field = out;
    return {};
  };
}

std::string apply_admin_token(settings& s, std::string_view v) {
  if (!v.empty() && v.size() < 16)
    return "must be empty or at least 16 characters";
  s.http.admin_token = std::string{v};
  return {};
}

std::string apply_smtp_url(settings& s, std::string_view v) {
  if (!v.empty() && !v.starts_with("smtp://") && !v.starts_with("smtps://"))
    return "must be empty or start with smtp:// or smtps://";
  s.smtp.url = std::string{v};
  return {};
}

std::vector<std::string_view> split(std::string_view v, char sep) {
  std::vector<std::string_view> out;
  while (true) {
    auto pos = v.find(sep);
    out.push_back(trim(v.substr(0, pos)));
    if (pos == std::string_view::npos)
      return out;
    v.remove_prefix(pos + 1);
  }
}

std::string apply_prefixes(settings& s, std::string_view v) {
  std::vector<std::string> out;
  for (auto p : split(v, ',')) {
    if (p.size() != 3 || p[0] != '0' || !all_digits(p))
      return "must be a comma-separated list of 3-digit prefixes starting with 0 (e.g. 070,080)";
    out.emplace_back(p);
  }
  s.ivr.mobile_prefixes = std::move(out);
  return {};
}

std::string apply_terminators(settings& s, std::string_view v) {
  for (char c : v)
    if (c != '#' && c != '*')
      return "may contain only # and *";
  s.ivr.terminators = std::string{v};
  return {};
}

std::string apply_log_level(settings& s, std::string_view v) {
  for (auto level : {"trace", "debug", "info", "warn", "error", "critical", "off"})
    if (v == level) {
      s.node.log_level = std::string{v};
      return {};
    }
  return "must be one of trace, debug, info, warn, error, critical, off";
}

std::string apply_log_format(settings& s, std::string_view v) {
  if (v != "text" && v != "json")
    return "must be text or json";
  s.node.log_format = std::string{v};
  return {};
}

std::string apply_mix(settings& s, std::string_view v) {
  for (auto part : split(v, ',')) {
    auto eq = part.find('=');
    if (eq == std::string_view::npos || eq == 0 || !all_digits(trim(part.substr(eq + 1))))
      return "must be a comma-separated list of scenario=weight with integer weights";
  }
  s.demo.mix = std::string{v};
  return {};
}

std::string apply_sip_listen(settings& s, std::string_view v) {
  if (!host_port(v, s.gateway.sip_host, s.gateway.sip_port))
    return "must be host:port with a port from 1 to 65535";
  return {};
}

std::string apply_rtp_ports(settings& s, std::string_view v) {
  auto dash = v.find('-');
  int lo = 0;
  int hi = 0;
  auto num = [](std::string_view t, int& out) {
    auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), out);
    return ec == std::errc{} && end == t.data() + t.size();
  };
  if (dash == std::string_view::npos || !num(v.substr(0, dash), lo) ||
      !num(v.substr(dash + 1), hi) || lo < 1024 || hi > 65535 || hi - lo < 3)
    return "must be LOW-HIGH, ports from 1024 to 65535 with room for two calls (e.g. "
           "20000-39999)";
  s.gateway.rtp_port_min = lo;
  s.gateway.rtp_port_max = hi;
  return {};
}

std::string brokers_rule(settings& s, std::string_view v) {
  for (auto b : split(v, ','))
    if (!v.empty() && (b.empty() || b.find(':') == std::string_view::npos))
      return "must be empty (embedded cluster) or a comma-separated list of host:port";
  s.kafka.brokers = std::string{v};
  return {};
}

std::string apply_bool(bool& out, std::string_view v) {
  if (v == "true" || v == "false") {
    out = v == "true";
    return {};
  }
  return "must be true or false";
}

std::string apply_id_format(std::string& out, std::string_view v) {
  if (v == "text" || v == "hex" || v == "decimal") {
    out = std::string{v};
    return {};
  }
  return "must be text, hex or decimal";
}

apply_fn carrier_int(size_t c, int carrier_settings::*field, int lo, int hi) {
  return [=](settings& s, std::string_view v) -> std::string {
    int out = 0;
    auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
    if (ec != std::errc{} || end != v.data() + v.size() || out < lo || out > hi)
      return "must be an integer from " + std::to_string(lo) + " to " + std::to_string(hi);
    s.sms.carriers[c].*field = out;
    return {};
  };
}

/// Keys of one carrier's sender, `sms.<carrier>.*`.
void add_carrier_rows(std::vector<key_spec>& rows, size_t c, const char* name) {
  namespace d = defaults;
  auto k = [&](const char* field) { return std::string{"sms."} + name + "." + field; };
  rows.push_back({k("smsc"), d::carrier_smsc,
                  "SMSC host:port of this carrier; empty: none (messages wait, then expire).",
                  [c](settings& s, std::string_view v) -> std::string {
                    std::string host;
                    int port = 0;
                    if (!v.empty() && !host_port(v, host, port))
                      return "must be empty or host:port with a port from 1 to 65535";
                    s.sms.carriers[c].smsc = std::string{v};
                    return {};
                  }});
  rows.push_back({k("system_id"), d::carrier_system_id, "SMPP system_id of the bind.",
                  [c](settings& s, std::string_view v) -> std::string {
                    if (v.empty() || v.size() > 15)
                      return "must be 1 to 15 characters";
                    s.sms.carriers[c].system_id = std::string{v};
                    return {};
                  }});
  rows.push_back({k("password"), d::carrier_password, "SMPP password of the bind.",
                  [c](settings& s, std::string_view v) -> std::string {
                    if (v.size() > 8)
                      return "must be at most 8 characters";
                    s.sms.carriers[c].password = std::string{v};
                    return {};
                  }});
  rows.push_back({k("connections"), std::to_string(d::carrier_connections),
                  "SMPP transceiver binds the carrier allows the whole cluster, shared by sms.jobs "
                  "partition.",
                  carrier_int(c, &carrier_settings::connections, 1, 32)});
  rows.push_back(
      {k("rate"), std::to_string(d::carrier_rate),
       "Submits per second the whole cluster sends the carrier at most (each node its share).",
       carrier_int(c, &carrier_settings::rate, 1, 1000000)});
  rows.push_back({k("window"), std::to_string(d::carrier_window),
                  "Submits awaiting their submit_sm_resp at most.",
                  carrier_int(c, &carrier_settings::window, 1, 100000)});
  rows.push_back({k("max_retries"), std::to_string(d::carrier_max_retries),
                  "Throttled or temporarily failed submits of a part before キャリア側エラー.",
                  carrier_int(c, &carrier_settings::max_retries, 0, 1000)});
  rows.push_back({k("retry_backoff_ms"), std::to_string(d::carrier_retry_backoff_ms),
                  "First pause after throttling; doubles per retry.",
                  carrier_int(c, &carrier_settings::retry_backoff_ms, 1, 600000)});
  rows.push_back({k("max_age_s"), std::to_string(d::carrier_max_age_s),
                  "A message not submitted this long after its request ends as 内部エラー.",
                  carrier_int(c, &carrier_settings::max_age_s, 1, 7 * 86400)});
  rows.push_back({k("in_doubt_wait_ms"), std::to_string(d::carrier_in_doubt_wait_ms),
                  "How long a submit left unanswered waits for the carrier's receipt before "
                  "it is sent again.",
                  carrier_int(c, &carrier_settings::in_doubt_wait_ms, 100, 86400000)});
  rows.push_back({k("response_timeout_ms"), std::to_string(d::carrier_response_timeout_ms),
                  "A submit without an answer this long is in doubt.",
                  carrier_int(c, &carrier_settings::response_timeout_ms, 100, 600000)});
  rows.push_back({k("enquire_link_s"), std::to_string(d::carrier_enquire_link_s),
                  "Idle seconds before an enquire_link.",
                  carrier_int(c, &carrier_settings::enquire_link_s, 1, 3600)});
  rows.push_back({k("resp_ids"), d::carrier_ids,
                  "How the SMSC writes ids in submit_sm_resp: text, hex or decimal.",
                  [c](settings& s, std::string_view v) {
                    return apply_id_format(s.sms.carriers[c].resp_ids, v);
                  }});
  rows.push_back({k("receipt_ids"), d::carrier_ids,
                  "How the SMSC writes ids in receipts: text, hex or decimal.",
                  [c](settings& s, std::string_view v) {
                    return apply_id_format(s.sms.carriers[c].receipt_ids, v);
                  }});
}

std::vector<key_spec> sms_rows() {
  namespace d = defaults;
  using S = settings;
  std::vector<key_spec> rows{
      {"sms.group_id", d::sms_group_id, "Consumer group of the SMS senders.",
       text(&S::sms, &sms_settings::group_id, false)},
      {"sms.short_domain", d::sms_short_domain,
       "Domain of short links; 6 characters make each link 23 characters long.",
       text(&S::sms, &sms_settings::short_domain, false)},
      {"sms.number_ranges", d::sms_number_ranges,
       "Number-range table: national prefix,carrier per line.",
       text(&S::sms, &sms_settings::number_ranges, false)},
      {"sms.ported", d::sms_ported,
       "Portability overrides: national number,carrier per line; empty: none.",
       text(&S::sms, &sms_settings::ported, true)},
      {"sms.retention_days", std::to_string(d::sms_retention_days),
       "Days the delivery log keeps a row (at least 3 months).",
       integer(&S::sms, &sms_settings::retention_days, 92, 3650)},
      {"sms.docomo_retry_errors", d::sms_docomo_retry_errors,
       "docomo receipt err codes that mean リトライ (comma-separated).",
       [](settings& s, std::string_view v) -> std::string {
         s.sms.docomo_retry_errors.clear();
         for (auto e : split(v, ','))
           if (!e.empty())
             s.sms.docomo_retry_errors.emplace_back(e);
         return {};
       }},
      {"sms.undetermined_after_s", std::to_string(d::sms_undetermined_after_s),
       "docomo messages without a result this long after sending end as 不定.",
       integer(&S::sms, &sms_settings::undetermined_after_s, 1, 86400)},
      {"sms.held_per_carrier", std::to_string(d::sms_held_per_carrier),
       "Jobs a carrier's sender holds on a node (waiting for a bind or the rate) before more of "
       "its jobs are left in sms.jobs and read again once it is down to half.",
       integer(&S::sms, &sms_settings::held_per_carrier, 1, 1000000)},
      {"sms.simulate_carriers", d::sms_simulate_carriers,
       "Start a simulated SMSC per carrier in this process and send there (the demo).",
       [](settings& s, std::string_view v) { return apply_bool(s.sms.simulate_carriers, v); }},
      {"sms.simulator_mix", d::sms_simulator_mix,
       "Receipt outcomes of the simulated SMSCs (see tools/smsc_sim).",
       text(&S::sms, &sms_settings::simulator_mix, false)},
      {"sms.simulator_receipt_delay_ms", std::to_string(d::sms_simulator_receipt_delay_ms),
       "Delay before a simulated SMSC sends a receipt.",
       integer(&S::sms, &sms_settings::simulator_receipt_delay_ms, 0, 3600000)},
  };
  const char* names[] = {"au", "docomo", "softbank", "rakuten"};
  for (size_t c = 0; c < 4; ++c)
    add_carrier_rows(rows, c, names[c]);
  return rows;
}

const std::vector<key_spec>& schema() {
  namespace d = defaults;
  using S = settings;
  static std::vector<key_spec> rows{
      {"node.id", d::node_id, "Name of this node in logs and dead letters.",
       text(&S::node, &node_settings::id, false)},
      {"node.data_dir", d::data_dir, "Directory of this node's RocksDB database.",
       text(&S::node, &node_settings::data_dir, false)},
      {"node.log_level", d::log_level, "trace, debug, info, warn, error, critical or off.",
       apply_log_level},
      {"node.log_format", d::log_format,
       "text (key=value lines) or json (one JSON object per line, the key=value pairs as "
       "fields); either way every log line goes to standard error.",
       apply_log_format},
      {"kafka.brokers", d::kafka_brokers,
       "Bootstrap brokers host:port,...; empty runs the embedded in-process mock cluster.",
       brokers_rule},
      {"kafka.embedded_brokers", std::to_string(d::kafka_embedded_brokers),
       "Brokers of the embedded mock cluster.",
       integer(&S::kafka, &kafka_settings::embedded_brokers, 1, 9)},
      {"kafka.topic_prefix", d::kafka_topic_prefix, "Prefix of every topic name.",
       text(&S::kafka, &kafka_settings::topic_prefix, true)},
      {"kafka.partitions", std::to_string(d::kafka_partitions),
       "Partitions of topics ivrcast creates.",
       integer(&S::kafka, &kafka_settings::partitions, 1, 1024)},
      {"kafka.replication_factor", std::to_string(d::kafka_replication_factor),
       "Replication factor of topics ivrcast creates.",
       integer(&S::kafka, &kafka_settings::replication_factor, 1, 7)},
      {"kafka.group_id", d::kafka_group_id, "Consumer group of the call path.",
       text(&S::kafka, &kafka_settings::group_id, false)},
      {"kafka.create_topics", "true",
       "Create missing topics at start-up (admin client, with the producer's security keys). "
       "false where ACLs forbid it: the topics are then only checked, and a missing one is named.",
       [](settings& s, std::string_view v) { return apply_bool(s.kafka.create_topics, v); }},
      {"kafka.session_timeout_ms", std::to_string(d::kafka_session_timeout_ms),
       "Group session timeout: how soon a dead node's partitions move, so the longest silence "
       "its live callers hear. 3000 on a broker whose `group.min.session.timeout.ms` allows it "
       "(Kafka's default is 6000: a broker refuses less, and the node would never join its "
       "group); the embedded cluster needs at least 6000.",
       integer(&S::kafka, &kafka_settings::session_timeout_ms, 1000, 300000)},
      {"ivr.mobile_prefixes", d::ivr_mobile_prefixes,
       "Prefixes of 11-digit mobile numbers (national form).", apply_prefixes},
      {"ivr.max_attempts", std::to_string(d::ivr_max_attempts),
       "Failed entries before step 6 and hang-up.",
       integer(&S::ivr, &ivr_settings::max_attempts, 1, 10)},
      {"ivr.max_digits", std::to_string(d::ivr_max_digits), "Digits collected at most (step 3).",
       integer(&S::ivr, &ivr_settings::max_digits, 11, 20)},
      {"ivr.digit_timeout_ms", std::to_string(d::ivr_digit_timeout_ms),
       "How long the gateway waits for digits (step 3).",
       integer(&S::ivr, &ivr_settings::digit_timeout_ms, 1000, 60000)},
      {"ivr.terminators", d::ivr_terminators, "Keys that end digit input early.",
       apply_terminators},
      {"ivr.max_call_duration_s", std::to_string(d::ivr_max_call_duration_s),
       "A call still live after this long is hung up and its session freed.",
       integer(&S::ivr, &ivr_settings::max_call_duration_s, 10, 86400)},
      {"ivr.language", d::ivr_language, "Language of TTS prompts.",
       text(&S::ivr, &ivr_settings::language, false)},
      {"ivr.reject_text", d::ivr_reject_text,
       "Fixed message for numbers without a published flow or of a terminated account.",
       text(&S::ivr, &ivr_settings::reject_text, false)},
      {"ivr.step6_text", d::ivr_step6_text, "Fixed step 6: after the last failed entry.",
       text(&S::ivr, &ivr_settings::step6_text, false)},
      {"abuse.max_sms", std::to_string(d::abuse_max_sms),
       "SMS allowed per destination per flow within abuse.window_s.",
       integer(&S::abuse, &abuse_settings::max_sms, 1, 1000)},
      {"abuse.window_s", std::to_string(d::abuse_window_s), "Window of the abuse guard.",
       integer(&S::abuse, &abuse_settings::window_s, 1, 86400)},
      {"flows.file", d::flows_file,
       "JSON of accounts and flows published to the control topics at start-up; empty: none.",
       text(&S::flows, &flows_settings::file, true)},
      {"http.listen", d::http_listen, "host:port of the HTTP API; empty: no HTTP server.",
       text(&S::http, &http_settings::listen, true)},
      {"http.public_url", d::http_public_url,
       "Base URL of this service as users and gateways reach it (mail links, audio URLs).",
       text(&S::http, &http_settings::public_url, false)},
      {"http.threads", std::to_string(d::http_threads), "HTTP worker threads.",
       integer(&S::http, &http_settings::threads, 1, 256)},
      {"http.admin_token", d::http_admin_token,
       "Bearer token of the operator's admin API (at least 16 characters); empty: admin API off.",
       apply_admin_token},
      {"http.secure_cookies", d::http_secure_cookies,
       "true: session cookies carry Secure (set when served over HTTPS).",
       [](settings& s, std::string_view v) { return apply_bool(s.http.secure_cookies, v); }},
      {"http.max_json_bytes", std::to_string(d::http_max_json_bytes),
       "Largest JSON request body accepted.",
       integer(&S::http, &http_settings::max_json_bytes, 1024, 1 << 24)},
      {"http.web_root", d::http_web_root,
       "Directory of the built web portal served at /; empty: <build>/portal beside the binary "
       "when "
       "built there, else no portal.",
       text(&S::http, &http_settings::web_root, true)},
      {"security.argon2_ops", std::to_string(d::security_argon2_ops),
       "argon2id passes per password hash.",
       integer(&S::security, &security_settings::argon2_ops, 1, 10)},
      {"security.argon2_mem_kib", std::to_string(d::security_argon2_mem_kib),
       "argon2id memory per password hash, KiB.",
       integer(&S::security, &security_settings::argon2_mem_kib, 8, 1 << 20)},
      {"security.logins_per_minute", std::to_string(d::security_logins_per_minute),
       "Login attempts allowed per client address per minute.",
       integer(&S::security, &security_settings::logins_per_minute, 1, 100000)},
      {"security.audio_quota_mb", std::to_string(d::security_audio_quota_mb),
       "Guidance audio one account may store, MB (uploads replaced or deleted count until swept).",
       integer(&S::security, &security_settings::audio_quota_mb, 1, 1000000)},
      {"smtp.url", d::smtp_url,
       "SMTP server of outgoing mail (smtp://host:port); empty: no mail is sent (answers say so).",
       apply_smtp_url},
      {"smtp.from", d::smtp_from, "Sender of outgoing mail.",
       text(&S::smtp, &smtp_settings::from, false)},
      {"smtp.templates", d::smtp_templates, "Directory of the mail templates.",
       text(&S::smtp, &smtp_settings::templates, false)},
      {"gateway.id", d::gateway_id,
       "gateway_id of this SIP gateway: the key of the commands it executes (1-128 "
       "printable ASCII).",
       [](settings& s, std::string_view v) -> std::string {
         if (v.empty() || v.size() > 128)
           return "must be 1-128 printable ASCII characters";
         for (unsigned char c : v)
           if (c < 0x21 || c > 0x7e)
             return "must be 1-128 printable ASCII characters";
         s.gateway.id = std::string{v};
         return {};
       }},
      {"gateway.sip_listen", d::gateway_sip_listen,
       "host:port the SIP gateway listens on, UDP and TCP.", apply_sip_listen},
      {"gateway.public_address", d::gateway_public_address,
       "Address written in SDP and Contact (behind NAT: the public one); empty: the listen "
       "host.",
       text(&S::gateway, &gateway_settings::public_address, true)},
      {"gateway.rtp_ports", d::gateway_rtp_ports, "RTP port range LOW-HIGH (two ports a call).",
       apply_rtp_ports},
      {"gateway.rtp_timeout_s", std::to_string(d::gateway_rtp_timeout_s),
       "No RTP from the caller for this long (not on hold) ends the call as NETWORK_ERROR; 0: "
       "off.",
       integer(&S::gateway, &gateway_settings::rtp_timeout_s, 0, 3600)},
      {"gateway.first_command_ms", std::to_string(d::gateway_first_command_ms),
       "A call with no first command this long after its INVITE (nodes or Kafka unreachable) "
       "is refused with 503.",
       integer(&S::gateway, &gateway_settings::first_command_ms, 500, 60000)},
      {"gateway.ring_ms", std::to_string(d::gateway_ring_ms),
       "Ring at least this long before answering (the first command waits); 0: answer as soon "
       "as the first command arrives.",
       integer(&S::gateway, &gateway_settings::ring_ms, 0, 30000)},
      {"gateway.idle_timeout_s", std::to_string(d::gateway_idle_timeout_s),
       "An answered call with nothing to play or collect for this long is hung up "
       "(NETWORK_ERROR).",
       integer(&S::gateway, &gateway_settings::idle_timeout_s, 5, 3600)},
      {"gateway.max_calls", std::to_string(d::gateway_max_calls),
       "Concurrent calls of this gateway; INVITEs above get 503.",
       integer(&S::gateway, &gateway_settings::max_calls, 1, 50000)},
      {"gateway.realtime_priority", std::to_string(d::gateway_realtime_priority),
       "SCHED_FIFO priority (1-99) of the SIP/RTP loop thread, so that media keeps its 20 ms "
       "pace on a busy machine; needs CAP_SYS_NICE; 0: normal scheduling.",
       integer(&S::gateway, &gateway_settings::realtime_priority, 0, 99)},
      {"gateway.state_dir", d::gateway_state_dir,
       "Directory of the record of live calls (ended as NETWORK_ERROR after a restart).",
       text(&S::gateway, &gateway_settings::state_dir, false)},
      {"demo.calls_per_second", std::to_string(d::demo_calls_per_second),
       "Rate of simulated calls in `ivrcast demo`.",
       positive_real(&S::demo, &demo_settings::calls_per_second)},
      {"demo.mix", d::demo_mix, "Scenario weights of simulated calls (see tools/gateway_sim).",
       apply_mix},
      {"demo.summary_interval_s", std::to_string(d::demo_summary_interval_s),
       "Seconds between demo summaries.",
       integer(&S::demo, &demo_settings::summary_interval_s, 1, 3600)},
  };
  static const bool with_sms = [] {
    auto more = sms_rows();
    rows.insert(rows.end(), more.begin(), more.end());
    return true;
  }();
  (void)with_sms;
  return rows;
}

std::string env_name(std::string_view key) {
  std::string out = "IVRCAST_";
  for (char c : key)
    out += (c == '.' || c == '-') ? '_' : static_cast<char>(std::toupper(c));
  return out;
}

void apply_one(settings& s, std::string_view key, std::string_view value, std::string_view origin,
               std::vector<std::string>& problems) {
  auto with_origin = [&](std::string msg) { problems.push_back(std::string{origin} + ": " + msg); };
  for (auto prefix : {std::string_view{"kafka.producer."}, std::string_view{"kafka.consumer."}})
    if (key.starts_with(prefix)) {
      auto lib_key = std::string{key.substr(prefix.size())};
      if (lib_key.empty())
        return with_origin(std::string{key} + ": names no librdkafka property");
      auto& target = prefix == "kafka.producer." ? s.kafka.producer : s.kafka.consumer;
      target[lib_key] = std::string{value};
      return;
    }
  for (const auto& row : schema())
    if (row.name == key) {
      if (auto broken = row.apply(s, value); !broken.empty())
        with_origin(std::string{key} + " = '" + std::string{value} + "': " + broken);
      return;
    }
  with_origin("unknown key '" + std::string{key} + "'");
}

}  // namespace

std::vector<std::string> process_env_names() {
  std::vector<std::string> out;
  for (char** e = environ; e && *e; ++e) {
    std::string_view entry{*e};
    out.emplace_back(entry.substr(0, entry.find('=')));
  }
  return out;
}

caf::expected<settings> parse(std::string_view text_in, std::string_view origin,
                              const env_lookup& env, const env_names& names) {
  settings s;
  std::vector<std::string> problems;
  for (const auto& row : schema())
    if (auto broken = row.apply(s, row.fallback); !broken.empty())
      problems.push_back("default of " + row.name + ": " + broken);
  int line_no = 0;
  for (auto line : split(text_in, '\n')) {
    ++line_no;
    if (line.empty() || line.front() == '#')
      continue;
    auto where = std::string{origin} + ":" + std::to_string(line_no);
    auto eq = line.find('=');
    if (eq == std::string_view::npos) {
      problems.push_back(where + ": expected 'key = value'");
      continue;
    }
    apply_one(s, trim(line.substr(0, eq)), trim(line.substr(eq + 1)), where, problems);
  }
  for (const auto& row : schema()) {
    auto name = env_name(row.name);
    if (const char* v = env ? env(name.c_str()) : nullptr)
      apply_one(s, row.name, trim(v), "environment " + name, problems);
  }
  if (names && env)
    for (const auto& name : names())
      for (std::string_view prefix : {"IVRCAST_KAFKA_PRODUCER_", "IVRCAST_KAFKA_CONSUMER_"}) {
        if (!name.starts_with(prefix))
          continue;
        std::string key =
            prefix == "IVRCAST_KAFKA_PRODUCER_" ? "kafka.producer." : "kafka.consumer.";
        for (char c : std::string_view{name}.substr(prefix.size()))
          key += c == '_' ? '.' : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        if (const char* v = env(name.c_str()))
          apply_one(s, key, trim(v), "environment " + name, problems);
      }
  if (s.kafka.embedded() && s.kafka.session_timeout_ms < 6000)
    problems.push_back("kafka.session_timeout_ms = " + std::to_string(s.kafka.session_timeout_ms) +
                       ": the embedded cluster refuses less than 6000 (a real broker allows down "
                       "to its group.min.session.timeout.ms)");
  // What the topics must keep: the delivery log, call counts and audit trail a rebuilt node
  // gets back (a day more than the log keeps).
  s.kafka.retention_ms = s.sms.retention_ms() + 24LL * 3600 * 1000;
  if (!problems.empty()) {
    std::string all;
    for (const auto& p : problems)
      all += (all.empty() ? "" : "; ") + p;
    return caf::make_error(errc::bad_config, all);
  }
  return s;
}

caf::expected<settings> load(const std::string& path, const env_lookup& env,
                             const env_names& names) {
  if (path.empty())
    return parse("", "defaults", env, names);
  std::ifstream in{path};
  if (!in)
    return caf::make_error(errc::bad_config, "cannot read config file '" + path + "'");
  std::stringstream buf;
  buf << in.rdbuf();
  return parse(buf.str(), path, env, names);
}

std::string reference() {
  std::string out = "| key | default | description |\n|---|---|---|\n";
  for (const auto& row : schema())
    out += "| `" + row.name + "` | `" + row.fallback + "` | " + row.description + " |\n";
  out +=
      "| `kafka.producer.*`, `kafka.consumer.*` | | passed to librdkafka as is; "
      "`kafka.consumer.partition.assignment.strategy` defaults to `roundrobin`, and "
      "`cooperative-sticky` is refused before librdkafka 2.3.0 (it aborts, librdkafka#4312); "
      "readers a caller waits on get each record as it arrives (`fetch.min.bytes` 1), the views "
      "and `sms.jobs` up to 64 KiB at a time (`fetch.min.bytes` 65536), all with "
      "`fetch.wait.max.ms` 100 (a key set here applies to every reader) |\n";
  return out;
}

bool host_port(std::string_view v, std::string& host, int& port) {
  auto colon = v.rfind(':');
  if (colon == std::string_view::npos || colon == 0)
    return false;
  auto digits = v.substr(colon + 1);
  int parsed = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), parsed);
  if (ec != std::errc{} || end != digits.data() + digits.size() || parsed < 1 || parsed > 65535)
    return false;
  host = std::string{v.substr(0, colon)};
  port = parsed;
  return true;
}

}  // namespace ivrcast::config
