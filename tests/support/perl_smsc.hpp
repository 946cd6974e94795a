#pragma once

#include <cstdint>
#include <cstdio>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace ivrcast::test {

/// Runs an SMSC script of tests/smpp (Net::SMPP: an SMSC we did not write) and collects its
/// event lines. The script prints "PID <n>" and "PORT <n>" first.
class perl_smsc {
 public:
  explicit perl_smsc(const std::string& script);
  ~perl_smsc();
  perl_smsc(const perl_smsc&) = delete;
  perl_smsc& operator=(const perl_smsc&) = delete;

  /// Lines so far starting with `prefix`.
  int count(std::string_view prefix) const;
  /// Every line so far.
  std::vector<std::string> lines() const;
  /// The listening port, 0 until the script has printed it.
  uint16_t port() const { return static_cast<uint16_t>(value_of("PORT ")); }

 private:
  /// The number on the script's first line starting with `prefix`, 0 if none yet.
  long value_of(std::string_view prefix) const;

  FILE* pipe_ = nullptr;
  std::thread reader_;
  mutable std::mutex mtx_;
  std::vector<std::string> lines_;
};

}  // namespace ivrcast::test
