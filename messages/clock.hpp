#pragma once

#include <chrono>
#include <cstdint>
#include <ctime>

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

/// The Japan-time civil fields of a Unix time (Japan has no daylight saving time).
inline std::tm jst_tm(int64_t unix_ms) {
  auto t = static_cast<std::time_t>(unix_ms / 1000 + 9 * 3600);
  std::tm tm{};
  gmtime_r(&t, &tm);
  return tm;
}

/// The Japan-time calendar day of a Unix time as YYYYMMDD (Japan has no daylight saving time).
inline uint32_t jst_day(int64_t unix_ms) {
  using namespace std::chrono;
  constexpr int64_t jst_offset_ms = 9LL * 3600 * 1000;
  auto day = floor<days>(sys_time<milliseconds>{milliseconds{unix_ms + jst_offset_ms}});
  year_month_day ymd{day};
  return static_cast<uint32_t>(static_cast<int>(ymd.year()) * 10000 +
                               static_cast<int>(static_cast<unsigned>(ymd.month())) * 100 +
                               static_cast<int>(static_cast<unsigned>(ymd.day())));
}

}  // namespace ivrcast
