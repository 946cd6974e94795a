#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace ivrcast::storage::keys {

// Every RocksDB key is built here; integers are big-endian so keys sort numerically.

/// offsets CF: <projection> \0 <partition BE32>.
std::string offset(std::string_view projection, int32_t partition);

/// call_counts CF: <incoming number> \0 <yyyymmdd BE32>.
std::string call_count(std::string_view number, uint32_t yyyymmdd);

/// Splits a call_count key; false if it is not one.
bool parse_call_count(std::string_view key, std::string& number, uint32_t& yyyymmdd);

void put_be32(std::string& out, uint32_t v);
void put_be64(std::string& out, uint64_t v);
uint32_t get_be32(std::string_view in);
uint64_t get_be64(std::string_view in);

}  // namespace ivrcast::storage::keys
