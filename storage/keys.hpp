#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ivrcast::storage::keys {

// Every RocksDB key is built here; integers are big-endian so keys sort numerically.

/// offsets CF: <projection> \0 <partition BE32>.
std::string offset(std::string_view projection, int32_t partition);

/// call_counts CF: 'a' <account> \0 <incoming number> \0 <yyyymmdd BE32>: one account's rows
/// together, a number's history staying with the account it had when called. (Keys of the
/// layout before accounts, <number> \0 <day>, start with '0' and are moved at start.)
std::string call_count(std::string_view account, std::string_view number, uint32_t yyyymmdd);

/// Splits a call_count key; false if it is not one.
bool parse_call_count(std::string_view key, std::string& account, std::string& number,
                      uint32_t& yyyymmdd);
/// Splits a key of the layout before accounts; false if it is not one.
bool parse_legacy_call_count(std::string_view key, std::string& number, uint32_t& yyyymmdd);

/// call_starts CF: <call id>; value <partition BE32> <offset BE64> <started ms BE64>.
std::string call_start(std::string_view call_id);

/// sends CF: <message id>.
std::string send(std::string_view message_id);

/// Monthly usage: <account> NUL <YYYYMM, be32> <carrier byte> <field: 'm'essages, 's'egments,
/// 'p'arts>; the value a be64 count (merged). `usage_account` is the prefix of one account.
std::string usage(std::string_view account, uint32_t month, uint8_t carrier, char field);
std::string usage_account(std::string_view account);
/// The mark of a message billed already (no NUL: never read as a usage row).
std::string usage_billed(std::string_view message_id);

/// The audit trail: every event by time ("g" <at be64> <offset be64>), an enterprise's
/// ("e" <enterprise> NUL <at be64> <offset be64>) and an address's ("m" <email> NUL <at be64>
/// <offset be64>); `audit_prefix` and `audit_email_prefix` are a scan's prefix.
std::string audit_all(int64_t at_ms, int64_t offset);
std::string audit_enterprise(std::string_view enterprise, int64_t at_ms, int64_t offset);
std::string audit_email(std::string_view email, int64_t at_ms, int64_t offset);
std::string audit_prefix(std::string_view enterprise);  // empty: every event
std::string audit_email_prefix(std::string_view email);
/// A client address's login and reset attempts ("q" <address> NUL <at be64> <offset be64>,
/// holding the node that counted it), for the login rate limit of every node.
std::string audit_address(std::string_view client_address, int64_t at_ms, int64_t offset);
std::string audit_address_prefix(std::string_view client_address);
/// Present once the events folded before the address index existed are indexed too.
std::string audit_email_indexed();
struct usage_key {
  std::string_view account;
  uint32_t month = 0;
  uint8_t carrier = 0;
  char field = 0;
};
/// Splits a usage key; nullopt if it is not one.
std::optional<usage_key> parse_usage(std::string_view key);

// delivery_log CF, one letter per kind of entry:
/// 'r' <requested ms BE64> <message id>: the row (time-ordered, so a range export is one scan).
std::string log_row(int64_t requested_ms, std::string_view message_id);
/// 'i' <message id>: the row's key.
std::string log_id(std::string_view message_id);
/// 'd' <destination> \0 <requested ms BE64> <message id>: search by destination.
std::string log_by_destination(std::string_view destination, int64_t requested_ms,
                               std::string_view message_id);
/// 'a' <account> \0 <requested ms BE64> <message id>: a copy of the row (LogRow), kept with the
/// account's other rows in time order, so a tenant's search and export read its own rows only
/// and read them in sequence.
std::string log_by_account(std::string_view account, int64_t requested_ms,
                           std::string_view message_id);
/// 'b' <account> \0 <destination> \0 <requested ms BE64> <message id>: the account's rows per
/// destination (the tail after the destination completes the row's 'a' key).
std::string log_by_account_destination(std::string_view account, std::string_view destination,
                                       int64_t requested_ms, std::string_view message_id);
/// 'c' <account> \0 <incoming number> \0 <requested ms BE64> <message id>: per incoming number.
std::string log_by_account_incoming(std::string_view account, std::string_view incoming,
                                    int64_t requested_ms, std::string_view message_id);
/// Present once the rows folded before the account copies existed have theirs too.
std::string log_account_indexed();
/// Length of the part of a log key one tenant's search stays within: 'a' <account> \0, or
/// 'b'/'c' <account> \0 <number> \0. Empty for every other key (no tenant search reads them).
/// The delivery log's Bloom filters hold these prefixes, so a search skips the table files that
/// hold nothing of its tenant (and number) instead of seeking in every level.
std::optional<size_t> log_tenant_prefix(std::string_view key);
/// 's' <carrier> <smsc id>: message id \0 part index, to match receipts.
std::string log_smsc(uint8_t carrier, std::string_view smsc_id);
/// 'p' <carrier> <smsc id>: a receipt that matched no submit yet (StatusEvent).
std::string log_parked(uint8_t carrier, std::string_view smsc_id);
/// 'h' <carrier> <handset> \0 <received ms BE64> <smsc id>: parked receipts per handset.
std::string log_parked_by_handset(uint8_t carrier, std::string_view handset, int64_t at_ms,
                                  std::string_view smsc_id);
/// 'l' <short-link code>: message id \0 original URL, for the redirector.
std::string log_short_link(std::string_view code);
/// 'u' <sent ms BE64> <message id>: docomo messages still waiting for a result (不定 sweep).
std::string log_undetermined(int64_t sent_ms, std::string_view message_id);
/// The first possible key of each kind ('r', 'u'): where a full scan of that kind starts.
inline constexpr std::string_view log_rows_start = "r";
inline constexpr std::string_view log_undetermined_start = "u";
/// The message id of a log_undetermined key.
std::string_view message_of_undetermined(std::string_view key);

void put_be32(std::string& out, uint32_t v);
void put_be64(std::string& out, uint64_t v);
uint32_t get_be32(std::string_view in);
uint64_t get_be64(std::string_view in);

}  // namespace ivrcast::storage::keys
