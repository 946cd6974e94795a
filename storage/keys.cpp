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

std::string call_start(std::string_view call_id) {
  return std::string{call_id};
}

std::string send(std::string_view message_id) {
  return std::string{message_id};
}

std::string usage_account(std::string_view account) {
  std::string out{account};
  out += '\0';
  return out;
}

std::string usage_billed(std::string_view message_id) {
  std::string out{"\x01billed/"};
  out += message_id;
  return out;
}

std::string usage(std::string_view account, uint32_t month, uint8_t carrier, char field) {
  auto out = usage_account(account);
  for (int shift = 24; shift >= 0; shift -= 8)
    out += static_cast<char>((month >> shift) & 0xFF);
  out += static_cast<char>(carrier);
  out += field;
  return out;
}

std::optional<usage_key> parse_usage(std::string_view key) {
  auto nul = key.find('\0');
  if (nul == std::string_view::npos || key.size() != nul + 7)
    return std::nullopt;
  usage_key out;
  out.account = key.substr(0, nul);
  for (size_t i = 0; i < 4; ++i)
    out.month = (out.month << 8) | static_cast<uint8_t>(key[nul + 1 + i]);
  out.carrier = static_cast<uint8_t>(key[nul + 5]);
  out.field = key[nul + 6];
  return out;
}

namespace {

/// The prefix of one name's audit keys: `kind` <name> NUL.
std::string audit_of(char kind, std::string_view name) {
  std::string out(1, kind);
  out += name;
  out += '\0';
  return out;
}

/// An audit key: `prefix` <at be64> <offset be64>.
std::string audit_at(std::string prefix, int64_t at_ms, int64_t offset) {
  put_be64(prefix, static_cast<uint64_t>(at_ms));
  put_be64(prefix, static_cast<uint64_t>(offset));
  return prefix;
}

}  // namespace

std::string audit_prefix(std::string_view enterprise) {
  return enterprise.empty() ? "g" : audit_of('e', enterprise);
}

std::string audit_all(int64_t at_ms, int64_t offset) {
  return audit_at(audit_prefix({}), at_ms, offset);
}

std::string audit_enterprise(std::string_view enterprise, int64_t at_ms, int64_t offset) {
  return audit_at(audit_prefix(enterprise), at_ms, offset);
}

std::string audit_email_prefix(std::string_view email) {
  return audit_of('m', email);
}

std::string audit_email(std::string_view email, int64_t at_ms, int64_t offset) {
  return audit_at(audit_email_prefix(email), at_ms, offset);
}

std::string audit_address_prefix(std::string_view client_address) {
  return audit_of('q', client_address);
}

std::string audit_address(std::string_view client_address, int64_t at_ms, int64_t offset) {
  return audit_at(audit_address_prefix(client_address), at_ms, offset);
}

std::string audit_email_indexed() {
  return "v-email-index";
}

std::string log_row(int64_t requested_ms, std::string_view message_id) {
  std::string out{"r"};
  put_be64(out, static_cast<uint64_t>(requested_ms));
  out += message_id;
  return out;
}

std::string log_id(std::string_view message_id) {
  std::string out{"i"};
  out += message_id;
  return out;
}

std::string log_by_destination(std::string_view destination, int64_t requested_ms,
                               std::string_view message_id) {
  std::string out{"d"};
  out += destination;
  out += '\0';
  put_be64(out, static_cast<uint64_t>(requested_ms));
  out += message_id;
  return out;
}

std::string log_by_account(std::string_view account, int64_t requested_ms,
                           std::string_view message_id) {
  std::string out{"a"};
  out += account;
  out += '\0';
  put_be64(out, static_cast<uint64_t>(requested_ms));
  out += message_id;
  return out;
}

namespace {

/// 'b'/'c' keys: <kind> <account> \0 <number> \0 <requested ms BE64> <message id>.
std::string log_by_account_number(char kind, std::string_view account, std::string_view number,
                                  int64_t requested_ms, std::string_view message_id) {
  std::string out{kind};
  out += account;
  out += '\0';
  out += number;
  out += '\0';
  put_be64(out, static_cast<uint64_t>(requested_ms));
  out += message_id;
  return out;
}

}  // namespace

std::string log_by_account_destination(std::string_view account, std::string_view destination,
                                       int64_t requested_ms, std::string_view message_id) {
  return log_by_account_number('b', account, destination, requested_ms, message_id);
}

std::string log_by_account_incoming(std::string_view account, std::string_view incoming,
                                    int64_t requested_ms, std::string_view message_id) {
  return log_by_account_number('c', account, incoming, requested_ms, message_id);
}

std::string log_account_indexed() {
  return "v-account-index-3";  // -2: with the incoming-number entries; -3: 'a' holds the row
}

std::optional<size_t> log_tenant_prefix(std::string_view key) {
  if (key.empty())
    return std::nullopt;
  int nuls = key[0] == 'a' ? 1 : key[0] == 'b' || key[0] == 'c' ? 2 : 0;
  if (nuls == 0)
    return std::nullopt;
  size_t at = 0;
  for (; nuls > 0; --nuls) {
    at = key.find('\0', at + 1);
    if (at == std::string_view::npos)
      return std::nullopt;
  }
  return at + 1;
}

std::string log_smsc(uint8_t carrier, std::string_view smsc_id) {
  std::string out{"s"};
  out += static_cast<char>(carrier);
  out += smsc_id;
  return out;
}

std::string log_parked(uint8_t carrier, std::string_view smsc_id) {
  std::string out{"p"};
  out += static_cast<char>(carrier);
  out += smsc_id;
  return out;
}

std::string log_parked_by_handset(uint8_t carrier, std::string_view handset, int64_t at_ms,
                                  std::string_view smsc_id) {
  std::string out{"h"};
  out += static_cast<char>(carrier);
  out += handset;
  out += '\0';
  put_be64(out, static_cast<uint64_t>(at_ms));
  out += smsc_id;
  return out;
}

std::string log_short_link(std::string_view code) {
  std::string out{"l"};
  out += code;
  return out;
}

std::string log_undetermined(int64_t sent_ms, std::string_view message_id) {
  std::string out{log_undetermined_start};
  put_be64(out, static_cast<uint64_t>(sent_ms));
  out += message_id;
  return out;
}

std::string_view message_of_undetermined(std::string_view key) {
  return key.size() > 9 ? key.substr(9) : std::string_view{};
}

std::string offset(std::string_view projection, int32_t partition) {
  std::string out{projection};
  out += '\0';
  put_be32(out, static_cast<uint32_t>(partition));
  return out;
}

std::string call_count(std::string_view account, std::string_view number, uint32_t yyyymmdd) {
  std::string out{"a"};
  out += account;
  out += '\0';
  out += number;
  out += '\0';
  put_be32(out, yyyymmdd);
  return out;
}

bool parse_call_count(std::string_view key, std::string& account, std::string& number,
                      uint32_t& yyyymmdd) {
  if (key.size() < 7 || key[0] != 'a' || key[key.size() - 5] != '\0')
    return false;
  auto rest = key.substr(1, key.size() - 6);  // <account> \0 <number>
  auto nul = rest.find('\0');
  if (nul == std::string_view::npos)
    return false;
  account.assign(rest.substr(0, nul));
  number.assign(rest.substr(nul + 1));
  yyyymmdd = get_be32(key.substr(key.size() - 4));
  return true;
}

bool parse_legacy_call_count(std::string_view key, std::string& number, uint32_t& yyyymmdd) {
  if (key.size() < 5 || key[0] == 'a' || key[key.size() - 5] != '\0')
    return false;
  number.assign(key.substr(0, key.size() - 5));
  yyyymmdd = get_be32(key.substr(key.size() - 4));
  return true;
}

}  // namespace ivrcast::storage::keys
