#pragma once

#include <string>
#include <vector>

#include <caf/expected.hpp>

#include "messages/calls.hpp"
#include "sms/carrier.hpp"
#include "sms/carrier_directory.hpp"
#include "sms/short_links.hpp"

namespace ivrcast::sms {

/// A job made ready for its carrier: the text as sent, its length and billing.
struct prepared_message {
  std::string message_id;
  carrier via = carrier::au;
  std::string body;     // as sent: short links in place
  std::u16string text;  // the same in UTF-16, what the SMPP parts carry
  int length = 0;       // 送信文字数
  int segments = 0;     // 文字分割数
  std::vector<short_link> links;
};

/// The message id of a job's (only) message: `<job id>.1`, deterministic so a replay finds it.
std::string message_id_of(const messages::sms_job& job);

/// Resolves the carrier, rewrites URLs when the job asks for short links, measures and bills
/// the text. Fails (errc::bad_input) with the reason when the number has no carrier, the body
/// is empty, not UTF-8, holds too many URLs or exceeds the carrier's maximum: such a message
/// ends as 内部エラー without being sent.
[[nodiscard]] caf::expected<prepared_message> prepare(const messages::sms_job& job,
                                                      const carrier_directory& dir,
                                                      std::string_view short_domain);

}  // namespace ivrcast::sms
