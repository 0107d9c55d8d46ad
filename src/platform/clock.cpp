#include "platform/clock.hpp"

#include <charconv>
#include <cstdio>
#include <ctime>

namespace eyewear::platform {

std::string format_rfc3339(SystemTime t) {
  const auto ms = to_unix_ms(t);
  std::int64_t secs = ms / 1000;
  std::int64_t frac = ms % 1000;
  if (frac < 0) {
    frac += 1000;
    secs -= 1;
  }
  const std::time_t tt = static_cast<std::time_t>(secs);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(frac));
  return buf;
}

namespace {
bool read_int(std::string_view s, std::size_t pos, std::size_t len, int& out) {
  if (pos + len > s.size()) return false;
  for (std::size_t i = pos; i < pos + len; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
  }
  auto res = std::from_chars(s.data() + pos, s.data() + pos + len, out);
  return res.ec == std::errc();
}
}  // namespace

bool parse_rfc3339(std::string_view s, SystemTime& out) {
  int year, mon, day, hour, min, sec;
  if (s.size() < 20) return false;
  if (!read_int(s, 0, 4, year) || s[4] != '-' || !read_int(s, 5, 2, mon) || s[7] != '-' ||
      !read_int(s, 8, 2, day) || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') || !read_int(s, 11, 2, hour) ||
      s[13] != ':' || !read_int(s, 14, 2, min) || s[16] != ':' || !read_int(s, 17, 2, sec)) {
    return false;
  }
  if (mon < 1 || mon > 12 || day < 1 || day > 31 || hour > 23 || min > 59 || sec > 60) return false;
  std::size_t pos = 19;
  int millis = 0;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    int digits = 0;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      if (digits < 3) millis = millis * 10 + (s[pos] - '0');
      ++digits;
      ++pos;
    }
    if (digits == 0) return false;
    for (int d = digits; d < 3; ++d) millis *= 10;
  }
  int offset_minutes = 0;
  if (pos >= s.size()) return false;
  if (s[pos] == 'Z' || s[pos] == 'z') {
    ++pos;
  } else if (s[pos] == '+' || s[pos] == '-') {
    int oh, om;
    if (!read_int(s, pos + 1, 2, oh) || pos + 3 >= s.size() || s[pos + 3] != ':' || !read_int(s, pos + 4, 2, om)) {
      return false;
    }
    offset_minutes = (oh * 60 + om) * (s[pos] == '-' ? -1 : 1);
    pos += 6;
  } else {
    return false;
  }
  if (pos != s.size()) return false;
  const std::chrono::year_month_day ymd{std::chrono::year(year), std::chrono::month(static_cast<unsigned>(mon)),
                                        std::chrono::day(static_cast<unsigned>(day))};
  if (!ymd.ok()) return false;
  const auto days = std::chrono::sys_days(ymd);
  out = SystemTime(days) + std::chrono::hours(hour) + std::chrono::minutes(min) + std::chrono::seconds(sec) +
        std::chrono::milliseconds(millis) - std::chrono::minutes(offset_minutes);
  return true;
}

}  // namespace eyewear::platform
