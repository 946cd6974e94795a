#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "sms/carrier.hpp"
#include "sms/delivery_status.hpp"

namespace ivrcast::sms {

/// One message of the delivery log [配信ログ] as the projection keeps it.
struct log_row {
  std::string job_id;
  std::string message_id;
  std::string account_id;
  int64_t requested_at_ms = 0;  // 送信予定時刻
  int64_t sent_at_ms = 0;       // 送信時刻: the carrier accepted the submit; 0 not yet
  std::string destination;      // national form
  std::optional<carrier> via;   // the carrier it was sent through; nullopt if unresolved
  std::string flow_version_id;  // 案件ID
  std::string flow_name;        // 案件名
  std::string body;             // 配信原稿 as sent (short links in place)
  std::string incoming_number;  // national form
  std::string sender_id;
  delivery_status status = delivery_status::preparing;
  int64_t arrived_at_ms = 0;  // 到達時刻 from the carrier's receipt; 0 none
  int sent_length = 0;        // 送信文字数 (UTF-16 units)
  int segments = 0;           // 文字分割数 (billed)
  int parts = 0;              // physical submits
  int64_t opened_at_ms = 0;   // 開封時刻 from the short-link redirector; 0 none
};

}  // namespace ivrcast::sms
