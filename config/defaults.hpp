#pragma once

#include "config/install_paths.hpp"

// Default value of every configuration key; the schema in schema.cpp refers to these. Paths are
// where `cmake --install` puts things, never relative to the working directory.
namespace ivrcast::config::defaults {

inline constexpr const char* node_id = "node-1";
inline constexpr const char* data_dir = IVRCAST_STATE_DIR "/node";
inline constexpr const char* log_level = "info";
inline constexpr const char* log_format = "text";

inline constexpr const char* kafka_brokers = "";  // empty: embedded mock cluster
inline constexpr int kafka_embedded_brokers = 3;
inline constexpr const char* kafka_topic_prefix = "ivrcast.";
inline constexpr int kafka_partitions = 6;
inline constexpr int kafka_replication_factor = 1;
inline constexpr const char* kafka_group_id = "ivrcast-ivr";
inline constexpr int kafka_session_timeout_ms = 10000;

inline constexpr const char* ivr_mobile_prefixes = "070,080,090";
inline constexpr int ivr_max_attempts = 3;
inline constexpr int ivr_max_digits = 11;
inline constexpr int ivr_digit_timeout_ms = 10000;
inline constexpr const char* ivr_terminators = "#";
inline constexpr int ivr_max_call_duration_s = 1200;
inline constexpr const char* ivr_language = "ja-JP";
inline constexpr const char* ivr_reject_text =
    "おかけになった電話番号は、現在ご利用いただけません。お手数ですが、番号をお確かめください。";
inline constexpr const char* ivr_step6_text =
    "携帯電話番号を確認できませんでした。恐れ入りますが、おかけ直しください。";

inline constexpr int abuse_max_sms = 3;
inline constexpr int abuse_window_s = 600;

inline constexpr const char* flows_file = "";

inline constexpr const char* http_listen = "";
inline constexpr const char* http_public_url = "http://127.0.0.1:8080";
inline constexpr int http_threads = 8;
inline constexpr const char* http_admin_token = "";
inline constexpr const char* http_secure_cookies = "false";
inline constexpr int http_max_json_bytes = 65536;
inline constexpr const char* http_web_root = IVRCAST_SHARE_DIR "/portal";

inline constexpr int security_argon2_ops = 2;          // libsodium's OPSLIMIT_INTERACTIVE
inline constexpr int security_argon2_mem_kib = 65536;  // libsodium's MEMLIMIT_INTERACTIVE
inline constexpr int security_logins_per_minute = 20;
inline constexpr int security_audio_quota_mb = 300;  // six 50 MB steps, or many short ones

inline constexpr const char* smtp_url = "";
inline constexpr const char* smtp_from = "ivrcast <no-reply@ivrcast.invalid>";
inline constexpr const char* smtp_templates = IVRCAST_SHARE_DIR "/mail";

inline constexpr const char* gateway_id = "gw-1";
inline constexpr const char* gateway_sip_listen = "127.0.0.1:5060";
inline constexpr const char* gateway_public_address = "";
inline constexpr const char* gateway_rtp_ports = "20000-39999";
inline constexpr int gateway_rtp_timeout_s = 60;
inline constexpr int gateway_first_command_ms = 5000;
inline constexpr int gateway_ring_ms = 0;
inline constexpr int gateway_idle_timeout_s = 60;
inline constexpr int gateway_max_calls = 5000;
inline constexpr int gateway_realtime_priority = 0;
inline constexpr const char* gateway_state_dir = IVRCAST_STATE_DIR "/gateway";

inline constexpr double demo_calls_per_second = 20.0;
inline constexpr const char* demo_mix =
    "mobile=30,landline_valid=20,landline_retry=10,landline_give_up=8,silence=6,hash_early=6,"
    "hangup=10,withheld=6,unknown_number=2,terminated_account=2";
inline constexpr int demo_summary_interval_s = 5;

inline constexpr const char* sms_group_id = "ivrcast-sms";
inline constexpr const char* sms_short_domain = "ivc.jp";  // 6 characters: links are 23
inline constexpr const char* sms_number_ranges = IVRCAST_SHARE_DIR "/carriers/number_ranges.csv";
inline constexpr const char* sms_ported = IVRCAST_SHARE_DIR "/carriers/ported.csv";
inline constexpr int sms_retention_days = 93;
inline constexpr const char* sms_docomo_retry_errors = "006";
inline constexpr int sms_undetermined_after_s = 3600;
inline constexpr int sms_held_per_carrier = 5000;
inline constexpr const char* sms_simulate_carriers = "false";
inline constexpr const char* sms_simulator_mix =
    "delivered=85,undeliverable=5,expired=3,rejected=2,retry=2,enroute=3";
inline constexpr int sms_simulator_receipt_delay_ms = 300;

inline constexpr const char* carrier_smsc = "";
inline constexpr const char* carrier_system_id = "ivrcast";
inline constexpr const char* carrier_password = "";
inline constexpr int carrier_connections = 2;
inline constexpr int carrier_rate = 500;
inline constexpr int carrier_window = 100;
inline constexpr int carrier_max_retries = 10;
inline constexpr int carrier_retry_backoff_ms = 500;
inline constexpr int carrier_max_age_s = 3600;
inline constexpr int carrier_in_doubt_wait_ms = 120000;
inline constexpr int carrier_response_timeout_ms = 10000;
inline constexpr int carrier_enquire_link_s = 30;
inline constexpr const char* carrier_ids = "text";

}  // namespace ivrcast::config::defaults
