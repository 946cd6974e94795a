#include "control/passwords.hpp"

#include <mutex>
#include <unordered_map>

#include <sodium.h>

namespace ivrcast::control {
namespace {

bool sodium_ready() {
  static const bool ok = sodium_init() >= 0;
  return ok;
}

}  // namespace

std::vector<rule_break> password_problems(std::string_view pw) {
  std::vector<rule_break> out;
  size_t chars = 0;
  bool upper = false, lower = false, digit = false, symbol = false, space = false;
  for (unsigned char c : pw) {
    if ((c & 0xC0) != 0x80)
      ++chars;  // count code points, not bytes
    if (c >= 'A' && c <= 'Z')
      upper = true;
    else if (c >= 'a' && c <= 'z')
      lower = true;
    else if (c >= '0' && c <= '9')
      digit = true;
    else if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f')
      space = true;
    else if (c >= 0x21 && c <= 0x7E)
      symbol = true;
  }
  if (pw.find("\xE3\x80\x80") != std::string_view::npos)  // U+3000 ideographic space
    space = true;
  if (chars < 10)
    out.push_back({"password_too_short", "must be at least 10 characters"});
  if (space)
    out.push_back({"password_has_whitespace", "must not contain whitespace"});
  if (!upper)
    out.push_back({"password_needs_upper", "needs an upper-case letter (A-Z)"});
  if (!lower)
    out.push_back({"password_needs_lower", "needs a lower-case letter (a-z)"});
  if (!digit)
    out.push_back({"password_needs_digit", "needs a digit (0-9)"});
  if (!symbol)
    out.push_back({"password_needs_symbol", "needs a symbol such as ! # $ % & - _"});
  return out;
}

std::string hash_password(std::string_view pw, hash_cost cost) {
  if (!sodium_ready())
    return {};
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str_alg(out, pw.data(), pw.size(), static_cast<unsigned long long>(cost.ops),
                            static_cast<size_t>(cost.mem_kib) * 1024,
                            crypto_pwhash_ALG_ARGON2ID13) != 0)
    return {};
  return out;
}

bool verify_password(const std::string& encoded, std::string_view pw) {
  if (!sodium_ready() || encoded.empty())
    return false;
  return crypto_pwhash_str_verify(encoded.c_str(), pw.data(), pw.size()) == 0;
}

const std::string& dummy_hash(hash_cost cost) {
  static std::mutex mtx;
  static std::unordered_map<long long, std::string> by_cost;
  std::lock_guard<std::mutex> guard{mtx};
  auto& h = by_cost[(static_cast<long long>(cost.ops) << 32) | cost.mem_kib];
  if (h.empty())
    h = hash_password(random_hex(16), cost);
  return h;
}

std::string random_hex(size_t bytes) {
  sodium_ready();
  std::string raw(bytes, '\0');
  randombytes_buf(raw.data(), raw.size());
  std::string out(bytes * 2 + 1, '\0');
  sodium_bin2hex(out.data(), out.size(), reinterpret_cast<const unsigned char*>(raw.data()),
                 raw.size());
  out.pop_back();
  return out;
}

std::string temporary_password() {
  sodium_ready();
  static constexpr std::string_view upper = "ABCDEFGHJKLMNPQRSTUVWXYZ";
  static constexpr std::string_view lower = "abcdefghijkmnopqrstuvwxyz";
  static constexpr std::string_view digits = "23456789";
  static constexpr std::string_view symbols = "!#$%&-_+=?";
  auto pick = [](std::string_view set) { return set[randombytes_uniform(set.size())]; };
  std::string out;
  for (int i = 0; i < 4; ++i) {
    out += pick(upper);
    out += pick(lower);
    out += pick(digits);
  }
  out += pick(symbols);
  out += pick(symbols);
  for (size_t i = out.size() - 1; i > 0; --i)  // Fisher-Yates: the classes are not in order
    std::swap(out[i], out[randombytes_uniform(static_cast<uint32_t>(i + 1))]);
  return out;
}

std::string digest_hex(std::string_view s) {
  sodium_ready();
  unsigned char h[32];
  crypto_generichash(h, sizeof h, reinterpret_cast<const unsigned char*>(s.data()), s.size(),
                     nullptr, 0);
  char out[65];
  sodium_bin2hex(out, sizeof out, h, sizeof h);
  return out;
}

std::string keyed_digest_hex(std::string_view s, std::string_view key) {
  sodium_ready();
  unsigned char k[crypto_generichash_KEYBYTES];
  crypto_generichash(k, sizeof k, reinterpret_cast<const unsigned char*>(key.data()), key.size(),
                     nullptr, 0);
  unsigned char h[32];
  crypto_generichash(h, sizeof h, reinterpret_cast<const unsigned char*>(s.data()), s.size(), k,
                     sizeof k);
  char out[65];
  sodium_bin2hex(out, sizeof out, h, sizeof h);
  return out;
}

bool same_secret(std::string_view a, std::string_view b) {
  return a.size() == b.size() && sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace ivrcast::control
