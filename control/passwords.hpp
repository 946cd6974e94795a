#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace ivrcast::control {

/// One password rule a candidate breaks (product.md §6): a stable code and its message.
struct rule_break {
  std::string code;
  std::string message;
};

/// Every rule `pw` breaks: at least 10 characters, no whitespace, an upper-case and a
/// lower-case letter, a digit and a symbol. Empty: acceptable.
std::vector<rule_break> password_problems(std::string_view pw);

/// argon2id cost (libsodium's opslimit, memlimit in KiB).
struct hash_cost {
  int ops = 2;
  int mem_kib = 65536;
};

/// libsodium's encoded argon2id hash of `pw`; empty if hashing failed (out of memory).
std::string hash_password(std::string_view pw, hash_cost cost);

/// True if `pw` matches `encoded`. Unknown users are checked against `dummy_hash` so an
/// unknown address costs the same time as a wrong password.
bool verify_password(const std::string& encoded, std::string_view pw);

/// A hash of a random password, computed once per cost.
const std::string& dummy_hash(hash_cost cost);

/// `bytes` random bytes as lower-case hex.
std::string random_hex(size_t bytes);

/// A random password that meets every rule (temporary passwords).
std::string temporary_password();

/// BLAKE2b-256 of `s`, hex (reset codes are stored hashed).
std::string digest_hex(std::string_view s);
/// The same keyed by `key` (any length): one account's digest of a file differs from another's.
std::string keyed_digest_hex(std::string_view s, std::string_view key);

/// Constant-time equality of two strings of the same length (false if lengths differ).
bool same_secret(std::string_view a, std::string_view b);

}  // namespace ivrcast::control
