#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <caf/expected.hpp>

namespace ivrcast::sms {

/// One URL of a body replaced by a short link.
struct short_link {
  std::string code;  // 8 alphanumerics
  std::string url;   // the original
};

/// Result of rewriting a body's URLs.
struct rewritten_body {
  std::string text;
  std::vector<short_link> links;
};

/// Most URLs a body may hold (product.md §2.3).
inline constexpr size_t max_urls = 5;

/// The http(s) URLs in `body`, in order: a URL runs from `http://` or `https://` to the first
/// whitespace, one of <>"', or non-ASCII character (in the host, only CJK punctuation such as
/// 、。 and full-width forms end it: internationalised domains are URLs too); then trailing
/// . , ; : ! ? and an unbalanced `)` are left to the sentence.
std::vector<std::string_view> find_urls(std::string_view body);

/// Replaces each URL by ` https://<domain>/<code> ` (one space either side). Codes are derived
/// from `message_id` and the URL's position, so a replayed job gets the same links. Fails when
/// the body holds more than max_urls URLs.
[[nodiscard]] caf::expected<rewritten_body> rewrite_urls(std::string_view body,
                                                         std::string_view domain,
                                                         std::string_view message_id);

}  // namespace ivrcast::sms
