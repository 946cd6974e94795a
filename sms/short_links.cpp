#include "sms/short_links.hpp"

#include <algorithm>

#include "messages/errc.hpp"
#include "messages/hash.hpp"

namespace ivrcast::sms {
namespace {

bool url_char(char c) {
  auto u = static_cast<unsigned char>(c);
  return u > 0x20 && u < 0x7F && c != '<' && c != '>' && c != '"' && c != '\'';
}

/// Length of the UTF-8 character at `s[i]` if it may stand in an internationalised host name
/// (not CJK punctuation U+3000–U+303F such as 、。「」, not full-width forms U+FF00–U+FFEF,
/// which end a URL in Japanese text); 0 otherwise.
size_t idn_char(std::string_view s, size_t i) {
  auto u = static_cast<unsigned char>(s[i]);
  size_t n = u >= 0xF0 ? 4 : u >= 0xE0 ? 3 : u >= 0xC2 ? 2 : 0;
  if (n == 0 || i + n > s.size())
    return 0;
  for (size_t k = 1; k < n; ++k)
    if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80)
      return 0;
  if (n == 3) {
    uint32_t cp = (u & 0x0Fu) << 12 | (static_cast<unsigned char>(s[i + 1]) & 0x3Fu) << 6 |
                  (static_cast<unsigned char>(s[i + 2]) & 0x3Fu);
    if ((cp >= 0x3000 && cp <= 0x303F) || (cp >= 0xFF00 && cp <= 0xFFEF))
      return 0;
  }
  return n;
}

/// Drops what ends a sentence rather than the URL: trailing . , ; : ! ? and a `)` that closes
/// nothing opened inside the URL.
std::string_view trim_url(std::string_view url, size_t scheme) {
  while (url.size() > scheme) {
    char c = url.back();
    if (c == '.' || c == ',' || c == ';' || c == ':' || c == '!' || c == '?') {
      url.remove_suffix(1);
    } else if (c == ')' &&
               std::count(url.begin(), url.end(), '(') < std::count(url.begin(), url.end(), ')')) {
      url.remove_suffix(1);
    } else {
      break;
    }
  }
  return url;
}

uint64_t mix(uint64_t x) {  // splitmix64 finaliser: spreads FNV's low-entropy high bits
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  x ^= x >> 31;
  return x;
}

std::string code_for(std::string_view message_id, size_t index) {
  auto h = mix(fnv1a(message_id) ^ (index + 1));
  static constexpr char alphabet[] =
      "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  std::string out(8, '0');
  for (auto& ch : out) {
    ch = alphabet[h % 62];
    h /= 62;
  }
  return out;
}

}  // namespace

std::vector<std::string_view> find_urls(std::string_view body) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < body.size()) {
    auto http = body.find("http", i);
    if (http == std::string_view::npos)
      break;
    auto rest = body.substr(http);
    size_t scheme = rest.starts_with("https://") ? 8 : rest.starts_with("http://") ? 7 : 0;
    if (scheme == 0) {
      i = http + 4;
      continue;
    }
    size_t end = http + scheme;
    bool in_host = true;  // an internationalised domain may hold non-ASCII; a path may not
    while (end < body.size()) {
      if (url_char(body[end])) {
        in_host = in_host && body[end] != '/' && body[end] != '?' && body[end] != '#';
        ++end;
      } else if (size_t n = in_host ? idn_char(body, end) : 0; n > 0) {
        end += n;
      } else {
        break;
      }
    }
    auto url = trim_url(body.substr(http, end - http), scheme);
    if (url.size() > scheme)
      out.push_back(url);
    i = end;
  }
  return out;
}

caf::expected<rewritten_body> rewrite_urls(std::string_view body, std::string_view domain,
                                           std::string_view message_id) {
  auto urls = find_urls(body);
  if (urls.size() > max_urls)
    return caf::make_error(
        errc::bad_input, "short_links",
        "the body holds " + std::to_string(urls.size()) + " URLs; at most 5 are allowed");
  rewritten_body out;
  out.text.reserve(body.size() + urls.size() * 8);
  size_t pos = 0;
  for (size_t k = 0; k < urls.size(); ++k) {
    auto start = static_cast<size_t>(urls[k].data() - body.data());
    out.text.append(body.substr(pos, start - pos));
    auto code = code_for(message_id, k);
    out.text.append(" https://").append(domain).append("/").append(code).append(" ");
    out.links.push_back({std::move(code), std::string{urls[k]}});
    pos = start + urls[k].size();
  }
  out.text.append(body.substr(pos));
  return out;
}

}  // namespace ivrcast::sms
