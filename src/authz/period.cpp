#include "authz/period.hpp"

#include <chrono>
#include <cstdio>

namespace eyewear::authz {

namespace {
std::chrono::year_month_day ymd(platform::SystemTime t) {
  return std::chrono::year_month_day(std::chrono::floor<std::chrono::days>(t));
}
}  // namespace

std::string period_of(platform::SystemTime t) {
  const auto d = ymd(t);
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u", static_cast<int>(d.year()), static_cast<unsigned>(d.month()));
  return buf;
}

std::string day_of(platform::SystemTime t) {
  const auto d = ymd(t);
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(d.year()), static_cast<unsigned>(d.month()),
                static_cast<unsigned>(d.day()));
  return buf;
}

std::int64_t period_start_ms(platform::SystemTime t) {
  const auto d = ymd(t);
  const auto first = std::chrono::sys_days(d.year() / d.month() / std::chrono::day(1));
  return platform::to_unix_ms(platform::SystemTime(first));
}

std::int64_t next_period_start_ms(platform::SystemTime t) {
  const auto d = ymd(t);
  const auto next = d.year() / d.month() / std::chrono::day(1) + std::chrono::months(1);
  return platform::to_unix_ms(platform::SystemTime(std::chrono::sys_days(next)));
}

}  // namespace eyewear::authz
