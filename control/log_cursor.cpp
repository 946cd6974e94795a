#include "control/log_cursor.hpp"

#include <sodium.h>

#include "control/passwords.hpp"
#include "storage/keys.hpp"

namespace ivrcast::control {
namespace {

constexpr size_t mac_chars = 32;  // 128 bits of the keyed BLAKE2b
constexpr size_t max_message_id = 200;

std::string mac(std::string_view payload, std::string_view binding, std::string_view key) {
  std::string signed_text{payload};
  signed_text += '\n';
  signed_text += binding;
  return keyed_digest_hex(signed_text, key).substr(0, mac_chars);
}

}  // namespace

std::string encode_log_cursor(const storage::delivery_log::position& at, std::string_view binding,
                              std::string_view key) {
  std::string raw;
  storage::keys::put_be64(raw, static_cast<uint64_t>(at.requested_at_ms));
  raw += at.message_id;
  std::string payload(raw.size() * 2 + 1, '\0');
  sodium_bin2hex(payload.data(), payload.size(), reinterpret_cast<const unsigned char*>(raw.data()),
                 raw.size());
  payload.pop_back();  // the NUL sodium_bin2hex ends with
  return payload + "." + mac(payload, binding, key);
}

std::optional<storage::delivery_log::position> decode_log_cursor(std::string_view token,
                                                                 std::string_view binding,
                                                                 std::string_view key) {
  auto dot = token.find('.');
  if (dot == std::string_view::npos || dot % 2 != 0 || dot < 16 || dot > 16 + 2 * max_message_id)
    return std::nullopt;
  auto payload = token.substr(0, dot);
  if (!same_secret(token.substr(dot + 1), mac(payload, binding, key)))
    return std::nullopt;
  std::string raw(payload.size() / 2, '\0');
  size_t got = 0;
  if (sodium_hex2bin(reinterpret_cast<unsigned char*>(raw.data()), raw.size(), payload.data(),
                     payload.size(), nullptr, &got, nullptr) != 0 ||
      got != raw.size())
    return std::nullopt;
  storage::delivery_log::position at;
  at.requested_at_ms = static_cast<int64_t>(storage::keys::get_be64(raw));
  at.message_id = raw.substr(8);
  return at;
}

}  // namespace ivrcast::control
