#include "storage/keys.hpp"

namespace ivrcast::storage::keys {

void put_be32(std::string& out, uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8)
    out += static_cast<char>((v >> shift) & 0xff);
}

void put_be64(std::string& out, uint64_t v) {
  for (int shift = 56; shift >= 0; shift -= 8)
    out += static_cast<char>((v >> shift) & 0xff);
}

uint32_t get_be32(std::string_view in) {
  uint32_t v = 0;
  for (size_t i = 0; i < 4; ++i)
    v = (v << 8) | static_cast<uint8_t>(in[i]);
  return v;
}

uint64_t get_be64(std::string_view in) {
  uint64_t v = 0;
  for (size_t i = 0; i < 8; ++i)
    v = (v << 8) | static_cast<uint8_t>(in[i]);
  return v;
}

std::string offset(std::string_view projection, int32_t partition) {
  std::string out{projection};
  out += '\0';
  put_be32(out, static_cast<uint32_t>(partition));
  return out;
}

std::string call_count(std::string_view number, uint32_t yyyymmdd) {
  std::string out{number};
  out += '\0';
  put_be32(out, yyyymmdd);
  return out;
}

bool parse_call_count(std::string_view key, std::string& number, uint32_t& yyyymmdd) {
  if (key.size() < 5 || key[key.size() - 5] != '\0')
    return false;
  number.assign(key.substr(0, key.size() - 5));
  yyyymmdd = get_be32(key.substr(key.size() - 4));
  return true;
}

}  // namespace ivrcast::storage::keys
