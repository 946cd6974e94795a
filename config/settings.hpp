#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace ivrcast::config {

/// Identity and local resources of this process.
struct node_settings {
  std::string id;
  std::string data_dir;
  std::string log_level;
  std::string log_format;  // "text" (key=value) or "json" (one object per line)
};

/// How to reach Kafka and how our topics are laid out.
struct kafka_settings {
  std::string brokers;  // empty: start librdkafka's in-process mock cluster
  int embedded_brokers = 0;
  std::string topic_prefix;
  int partitions = 0;
  int replication_factor = 0;
  std::string group_id;
  int session_timeout_ms = 0;
  std::map<std::string, std::string> producer;  // kafka.producer.* passed to librdkafka
  std::map<std::string, std::string> consumer;  // kafka.consumer.* passed to librdkafka
  bool create_topics = true;
  // Not a configuration key: retention.ms of the topics whose records rebuild what ivrcast keeps
  // (sms.retention_days and a day).
  int64_t retention_ms = 0;

  bool embedded() const { return brokers.empty(); }
};

/// The call logic of product.md §2.2.
struct ivr_settings {
  std::vector<std::string> mobile_prefixes;
  int max_attempts = 0;
  int max_digits = 0;
  int digit_timeout_ms = 0;
  std::string terminators;
  int max_call_duration_s = 0;
  std::string language;
  std::string reject_text;
  std::string step6_text;
  // Not configuration keys: the fixed texts rendered to stored audio when the node starts
  // (empty when TTS is unavailable; gateways then get the text alone).
  std::string reject_speech_url;
  std::string step6_speech_url;
};

/// At most `max_sms` SMS per destination per flow within `window_s` seconds.
struct abuse_settings {
  int max_sms = 0;
  int window_s = 0;
};

/// Where published flows come from until the portal publishes them.
struct flows_settings {
  std::string file;  // JSON published to the control topics at start-up; empty: none
};

/// The simulated callers of `ivrcast demo`.
struct demo_settings {
  double calls_per_second = 0;
  std::string mix;
  int summary_interval_s = 0;
};

/// One carrier's sender: its SMSC connections and limits (product.md §3).
struct carrier_settings {
  std::string smsc;  // host:port; empty: no SMSC, messages wait until max_age_s
  std::string system_id;
  std::string password;
  int connections = 0;
  int rate = 0;    // submits per second
  int window = 0;  // unacknowledged submits
  int max_retries = 0;
  int retry_backoff_ms = 0;
  int max_age_s = 0;
  int in_doubt_wait_ms = 0;
  int response_timeout_ms = 0;
  int enquire_link_s = 0;
  std::string resp_ids;     // text, hex or decimal
  std::string receipt_ids;  // text, hex or decimal
};

/// SMS delivery: job consumer, carrier resolution, short links, the delivery log.
struct sms_settings {
  std::string group_id;
  std::string short_domain;
  std::string number_ranges;
  std::string ported;
  int retention_days = 0;
  /// What the delivery log and the call counts' bookkeeping keep, in milliseconds.
  int64_t retention_ms() const { return int64_t{retention_days} * 24 * 3600 * 1000; }
  std::vector<std::string> docomo_retry_errors;
  int undetermined_after_s = 0;
  int held_per_carrier = 0;        // jobs a carrier's sender holds on a node before reading waits
  bool simulate_carriers = false;  // start a simulated SMSC per carrier in this process
  std::string simulator_mix;
  int simulator_receipt_delay_ms = 0;
  carrier_settings carriers[4];  // indexed by sms::carrier: au, docomo, softbank, rakuten
};

/// The HTTP API (and, later, the portal) served by a node.
struct http_settings {
  std::string listen;      // host:port; empty: no HTTP server
  std::string public_url;  // base of links in mails and of audio URLs given to gateways
  int threads = 0;
  std::string admin_token;  // bearer token of the operator's admin API; empty: admin API off
  bool secure_cookies = false;
  int max_json_bytes = 0;
  std::string web_root;  // built portal (index.html) served at /; empty: no portal
};

/// Password hashing cost and login throttling (the rules themselves are product.md §6).
struct security_settings {
  int argon2_ops = 0;
  int argon2_mem_kib = 0;
  int logins_per_minute = 0;  // per client address
  int audio_quota_mb = 0;     // guidance audio an account may store, uploads not yet swept too
};

/// Outgoing mail.
struct smtp_settings {
  std::string url;  // smtp://host:port; empty: mails are logged instead of sent
  std::string from;
  std::string templates;  // directory of <name>.txt templates
};

/// The SIP gateway role (`ivrcast gateway`): where it listens and how it treats calls.
struct gateway_settings {
  std::string id;        // gateway_id of the protocol: commands keyed by it come here
  std::string sip_host;  // SIP listen address (UDP and TCP)
  int sip_port = 0;
  std::string public_address;  // address in SDP and Contact; empty: sip_host
  int rtp_port_min = 0;        // RTP ports, even, from this range
  int rtp_port_max = 0;
  int rtp_timeout_s = 0;      // no RTP from the caller this long ends the call; 0: off
  int first_command_ms = 0;   // no first command this long after INVITE: 503, call ended
  int ring_ms = 0;            // ring at least this long before answering
  int idle_timeout_s = 0;     // an answered call with nothing to do this long is hung up
  int max_calls = 0;          // concurrent calls; INVITEs above get 503
  int realtime_priority = 0;  // SCHED_FIFO priority of the media loop; 0: normal scheduling
  std::string state_dir;      // the record of live calls, for a restart
};

/// All settings of a node, validated.
struct settings {
  node_settings node;
  kafka_settings kafka;
  ivr_settings ivr;
  abuse_settings abuse;
  flows_settings flows;
  demo_settings demo;
  sms_settings sms;
  http_settings http;
  security_settings security;
  smtp_settings smtp;
  gateway_settings gateway;
};

}  // namespace ivrcast::config
