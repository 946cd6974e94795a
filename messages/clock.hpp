#pragma once

#include <chrono>
#include <cstdint>

namespace ivrcast {

/// Wall-clock Unix time in milliseconds: the unit of every timestamp on our topics.
inline int64_t unix_now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

/// Unix milliseconds of a Japan-time (UTC+9, no daylight saving) civil date and time. Fields are
/// not range-checked: callers validate them. Days from civil by H. Hinnant's algorithm.
constexpr int64_t jst_to_unix_ms(int year, int month, int day, int hour, int minute, int second) {
  year -= month <= 2;
  const int64_t era = (year >= 0 ? year : year - 399) / 400;
  const int64_t yoe = year - era * 400;
  const int64_t doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  const int64_t days = era * 146097 + doe - 719468;
  return (days * 86400 + hour * 3600 + minute * 60 + second - 9 * 3600) * 1000;
}

}  // namespace ivrcast
