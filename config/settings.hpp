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

/// All settings of a node, validated.
struct settings {
  node_settings node;
  kafka_settings kafka;
  ivr_settings ivr;
  abuse_settings abuse;
  flows_settings flows;
  demo_settings demo;
};

}  // namespace ivrcast::config
