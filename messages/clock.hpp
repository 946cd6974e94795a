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

/// A Japan-time civil date and time.
struct jst_fields {
  int year, month, day, hour, minute, second;
};

/// The Japan-time civil fields of a Unix time (Japan has no daylight saving time). Arithmetic
/// alone: gmtime_r takes glibc's time-zone lock, once per timestamp of a CSV export.
constexpr jst_fields jst_civil(int64_t unix_ms) {
  using namespace std::chrono;
  constexpr int64_t jst_offset_ms = 9LL * 3600 * 1000;
  auto at = sys_time<milliseconds>{milliseconds{unix_ms + jst_offset_ms}};
  auto day = floor<days>(at);
  year_month_day ymd{day};
  auto s = duration_cast<seconds>(at - day).count();
  return {static_cast<int>(ymd.year()),
          static_cast<int>(static_cast<unsigned>(ymd.month())),
          static_cast<int>(static_cast<unsigned>(ymd.day())),
          static_cast<int>(s / 3600),
          static_cast<int>(s / 60 % 60),
          static_cast<int>(s % 60)};
}

/// The Japan-time calendar day of a Unix time as YYYYMMDD (Japan has no daylight saving time).
constexpr uint32_t jst_day(int64_t unix_ms) {
  auto t = jst_civil(unix_ms);
  return static_cast<uint32_t>(t.year * 10000 + t.month * 100 + t.day);
}

}  // namespace ivrcast
