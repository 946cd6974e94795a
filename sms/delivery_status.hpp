#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "sms/carrier.hpp"

namespace ivrcast::sms {

/// The statuses of product.md §3.1. Values are stored: append, never renumber.
enum class delivery_status : uint8_t {
  preparing = 1,         // 配信準備中
  sent = 2,              // 送信済: the carrier accepted the submit
  awaiting = 3,          // 配信結果待機中: the carrier reported it en route
  delivered = 4,         // 到達済
  failed = 5,            // 失敗: the handset (off, unknown subscriber, expired)
  internal_error = 6,    // 内部エラー
  carrier_error = 7,     // キャリア側エラー
  partially_failed = 8,  // 一部失敗
  undetermined = 9,      // 不定: docomo, no result within 1 hour
  retry = 10,            // リトライ: docomo, failed but may succeed if sent again
};

/// The Japanese label of the log and CSV.
std::string_view label(delivery_status s);
/// The status as metrics name it: sent, delivered, partially_failed, ...
std::string_view metric_name(delivery_status s);
/// Parses a stored value; nullopt if it is not a status.
std::optional<delivery_status> status_from(uint32_t v);
/// Statuses only move forward: preparing 0, sent 1, awaiting 2, every final status 3.
int rank(delivery_status s);
bool is_final(delivery_status s);
/// What the 到達 column says of a message: 到達, 不達 (every failure), or nothing yet.
enum class arrival : uint8_t { delivered, undelivered, pending };
arrival arrival_of(delivery_status s);
/// 到達 column: 到達 for delivered, 不達 for failures, empty while pending.
std::string_view arrival_label(delivery_status s);

/// A receipt's message state (SMPP 3.4 §5.2.28 values; `stat:` text DELIVRD, UNDELIV, ...).
enum class receipt_state : uint8_t {
  enroute = 1,
  delivered = 2,
  expired = 3,
  deleted = 4,
  undeliverable = 5,
  accepted = 6,
  unknown = 7,
  rejected = 8,
};

/// From the `stat:` field of a receipt text; nullopt if unknown.
std::optional<receipt_state> parse_stat(std::string_view stat);
/// From the message_state TLV; nullopt if out of range.
std::optional<receipt_state> state_from_tlv(uint8_t v);

/// What one part's receipt means for that part. `retry_errors` are docomo's `err:` codes of
/// temporary failures (config); an ENROUTE/ACCEPTD receipt gives `awaiting`.
delivery_status part_status(carrier c, receipt_state st, std::string_view err,
                            std::span<const std::string> retry_errors);

/// How the sender treats a submit_sm_resp command_status.
enum class submit_verdict : uint8_t {
  accepted,     // 0: the part is with the carrier
  retry_later,  // throttled, queue full, system error: pause the carrier, send again
  rejected,     // final: `status` says which
};
struct submit_outcome {
  submit_verdict verdict;
  delivery_status status;  // for rejected
};
/// The written mapping from SMPP command_status (see docs/sms-delivery.md).
submit_outcome map_submit_status(uint32_t command_status);

/// Status of a message from its parts' statuses: every part delivered → delivered; every part
/// final with none delivered → the first failure; some delivered, some failed → partially
/// failed; otherwise the least advanced pending status.
delivery_status combine(std::span<const delivery_status> parts);

}  // namespace ivrcast::sms
