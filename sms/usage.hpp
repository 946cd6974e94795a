#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "messages/sms.pb.h"
#include "sms/carrier.hpp"

namespace ivrcast::sms {

/// What one message adds to its account's monthly usage [ご利用実績] (product.md §7).
struct usage_increment {
  std::string account;
  uint32_t month = 0;  // YYYYMM, Japan time, of the carrier's acceptance
  carrier via = carrier::au;
  uint64_t segments = 0;  // billed: 文字分割数 by the carrier's rule
  uint64_t parts = 0;     // submit_sm the carrier accepted
};

/// What a send record bills, if it shows parts of its message at the carrier: SUBMITTED (every
/// part accepted: its billed segments) or CLOSED with accepted parts (一部失敗: one segment per
/// accepted part, at most the message's segments). A message bills once: storage::usage keeps
/// a mark per billed message, so a replay or a second final record bills nothing. Pure.
std::optional<usage_increment> billable(const wire::SendRecord& rec);

/// YYYYMM of a Unix time in Japan time.
uint32_t jst_month(int64_t unix_ms);

}  // namespace ivrcast::sms
