#include "energy/intensity_series.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <stdexcept>

#include <fmt/format.h>

#include "energy/carbon_intensity.h"
#include "energy/reference_files.h"
#include "util/strings.h"

namespace carbonbench {
namespace {

using Clock = std::chrono::system_clock;
constexpr std::chrono::hours kMaxCoverage{1};
constexpr const char* kExampleRow = "2026-11-23T14:00:00Z,212.5";
// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
std::int64_t DaysFromCivil(std::int64_t year, unsigned month, unsigned day) {
  year -= month <= 2;
  const std::int64_t era = (year >= 0 ? year : year - 399) / 400;
  const unsigned year_of_era = static_cast<unsigned>(year - era * 400);
  const unsigned day_of_year = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
  const unsigned day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
  return era * 146097 + static_cast<std::int64_t>(day_of_era) - 719468;
}

struct Civil {
  std::int64_t year;
  unsigned month;
  unsigned day;
};

Civil CivilFromDays(std::int64_t days) {
  days += 719468;
  const std::int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const unsigned day_of_era = static_cast<unsigned>(days - era * 146097);
  const unsigned year_of_era =
      (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
  const unsigned day_of_year =
      day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
  const unsigned mp = (5 * day_of_year + 2) / 153;
  const unsigned day = day_of_year - (153 * mp + 2) / 5 + 1;
  const unsigned month = mp < 10 ? mp + 3 : mp - 9;
  return {static_cast<std::int64_t>(year_of_era) + era * 400 + (month <= 2), month, day};
}

bool IsLeap(std::int64_t year) { return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0; }

unsigned DaysInMonth(std::int64_t year, unsigned month) {
  static constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && IsLeap(year) ? 29 : kDays[month - 1];
}

// Reads exactly `count` digits at `pos`, advancing it.
bool ReadDigits(const std::string& text, std::size_t& pos, std::size_t count, int& value) {
  if (pos + count > text.size()) return false;
  value = 0;
  for (std::size_t i = 0; i < count; ++i) {
    const char c = text[pos + i];
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
    value = value * 10 + (c - '0');
  }
  pos += count;
  return true;
}

// The year a timestamp starts with when the clock cannot hold it
// ("9999-01-01T00:00Z"), else nullopt.
std::optional<int> YearOutsideClock(const std::string& text) {
  std::size_t pos = 0;
  int year = 0;
  if (!ReadDigits(Trim(text), pos, 4, year)) return std::nullopt;
  if (year >= kEarliestYear && year <= kLatestYear) return std::nullopt;
  return year;
}

bool Expect(const std::string& text, std::size_t& pos, char c) {
  if (pos >= text.size() || text[pos] != c) return false;
  ++pos;
  return true;
}

std::optional<double> ParseNumber(const std::string& text) {
  if (text.empty()) return std::nullopt;
  char* end = nullptr;
  const double value = std::strtod(text.c_str(), &end);
  if (*end != '\0' || !std::isfinite(value)) return std::nullopt;
  return value;
}

// The index of the first header field named one of `names`, or -1.
int FindColumn(const std::vector<std::string>& header, std::initializer_list<const char*> names) {
  for (std::size_t i = 0; i < header.size(); ++i) {
    const std::string field = detail::Lower(Trim(header[i]));
    for (const char* name : names) {
      if (field == name) return static_cast<int>(i);
    }
  }
  return -1;
}

std::vector<IntensitySeries::Point> Cover(
    const std::vector<std::pair<Clock::time_point, double>>& values) {
  std::vector<IntensitySeries::Point> points;
  for (std::size_t i = 0; i < values.size(); ++i) {
    Clock::time_point end = values[i].first + kMaxCoverage;
    if (i + 1 < values.size()) end = std::min(end, values[i + 1].first);
    points.push_back({values[i].first, end, values[i].second});
  }
  return points;
}

double WhTimesGPerKwhToGrams(double energy_wh, double g_per_kwh) {
  return energy_wh / 1000.0 * g_per_kwh;
}

}  // namespace

std::optional<Clock::time_point> ParseIso8601Utc(const std::string& raw) {
  const std::string text = Trim(raw);
  std::size_t pos = 0;
  int year, month, day, hour, minute, second = 0;
  if (!ReadDigits(text, pos, 4, year) || !Expect(text, pos, '-') ||
      !ReadDigits(text, pos, 2, month) || !Expect(text, pos, '-') ||
      !ReadDigits(text, pos, 2, day)) {
    return std::nullopt;
  }
  if (pos >= text.size() || (text[pos] != 'T' && text[pos] != 't' && text[pos] != ' ')) {
    return std::nullopt;
  }
  ++pos;
  if (!ReadDigits(text, pos, 2, hour) || !Expect(text, pos, ':') ||
      !ReadDigits(text, pos, 2, minute)) {
    return std::nullopt;
  }
  std::chrono::nanoseconds fraction{0};
  if (pos < text.size() && text[pos] == ':') {
    ++pos;
    if (!ReadDigits(text, pos, 2, second)) return std::nullopt;
    if (pos < text.size() && (text[pos] == '.' || text[pos] == ',')) {
      ++pos;
      std::int64_t scale = 100000000;
      const std::size_t first = pos;
      while (pos < text.size() && std::isdigit(static_cast<unsigned char>(text[pos]))) {
        fraction += std::chrono::nanoseconds((text[pos] - '0') * scale);
        scale /= 10;
        ++pos;
      }
      if (pos == first) return std::nullopt;
    }
  }
  std::chrono::minutes offset{0};
  if (pos < text.size()) {
    const char zone = text[pos++];
    if (zone == 'Z' || zone == 'z') {
      if (pos != text.size()) return std::nullopt;
    } else if (zone == '+' || zone == '-') {
      int offset_hours = 0, offset_minutes = 0;
      if (!ReadDigits(text, pos, 2, offset_hours)) return std::nullopt;
      if (pos < text.size()) {
        Expect(text, pos, ':');
        if (!ReadDigits(text, pos, 2, offset_minutes)) return std::nullopt;
      }
      if (pos != text.size() || offset_hours > 23 || offset_minutes > 59) return std::nullopt;
      offset = std::chrono::minutes((zone == '+' ? 1 : -1) * (offset_hours * 60 + offset_minutes));
    } else {
      return std::nullopt;
    }
  }
  if (year < kEarliestYear || year > kLatestYear || month < 1 || month > 12 || day < 1 ||
      day > static_cast<int>(DaysInMonth(year, static_cast<unsigned>(month))) || hour > 23 ||
      minute > 59 || second > 59) {
    return std::nullopt;
  }
  const std::int64_t days =
      DaysFromCivil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
  const auto since_epoch = std::chrono::hours(days * 24 + hour) + std::chrono::minutes(minute) +
                           std::chrono::seconds(second) - offset;
  return Clock::time_point(std::chrono::duration_cast<Clock::duration>(since_epoch + fraction));
}

std::string FormatIso8601Utc(Clock::time_point when) {
  const auto seconds = std::chrono::floor<std::chrono::seconds>(when.time_since_epoch()).count();
  const std::int64_t days = (seconds >= 0 ? seconds : seconds - 86399) / 86400;
  const std::int64_t in_day = seconds - days * 86400;
  const Civil date = CivilFromDays(days);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", date.year, date.month, date.day,
                     in_day / 3600, in_day / 60 % 60, in_day % 60);
}

IntensitySeries IntensitySeries::ReadCsv(const std::string& path) {
  std::vector<int> lines;
  auto rows = detail::ReadCsvFile(
      path, "the hourly carbon-intensity CSV the suite names; check the path", &lines);
  // Comment lines.
  for (std::size_t i = rows.size(); i-- > 0;) {
    if (!rows[i].empty() && Trim(rows[i][0]).rfind('#', 0) == 0) {
      rows.erase(rows.begin() + static_cast<std::ptrdiff_t>(i));
      lines.erase(lines.begin() + static_cast<std::ptrdiff_t>(i));
    }
  }
  if (rows.empty()) {
    throw std::runtime_error(
        fmt::format("{}: the file is empty; write a header line 'timestamp,g_per_kwh' and one row "
                    "per hour like {}",
                    path, kExampleRow));
  }
  const int time_column = FindColumn(rows[0], {"timestamp", "datetime"});
  const int value_column = FindColumn(rows[0], {"g_per_kwh", "carbon_intensity"});
  if (time_column < 0 || value_column < 0) {
    throw std::runtime_error(fmt::format(
        "{}:{}: the header must name a time column (timestamp or datetime) and an intensity "
        "column in gCO2e/kWh (g_per_kwh or carbon_intensity); found '{}'. Write the header "
        "'timestamp,g_per_kwh'",
        path, lines[0], JoinStrings(rows[0], ",")));
  }
  if (rows.size() == 1) {
    throw std::runtime_error(fmt::format(
        "{}: no rows after the header; add one row per hour like {}", path, kExampleRow));
  }
  const std::size_t needed = static_cast<std::size_t>(std::max(time_column, value_column)) + 1;
  std::vector<std::pair<Clock::time_point, double>> values;
  std::vector<int> value_lines;
  for (std::size_t i = 1; i < rows.size(); ++i) {
    const auto& row = rows[i];
    const int line = lines[i];
    if (row.size() < needed) {
      throw std::runtime_error(
          fmt::format("{}:{}: {} field(s) where the header needs at least {}; each row is like {}",
                      path, line, row.size(), needed, kExampleRow));
    }
    const std::string time_text = Trim(row[static_cast<std::size_t>(time_column)]);
    const std::string value_text = Trim(row[static_cast<std::size_t>(value_column)]);
    const std::optional<Clock::time_point> when = ParseIso8601Utc(time_text);
    if (const std::optional<int> year = YearOutsideClock(time_text); !when && year) {
      throw std::runtime_error(fmt::format(
          "{}:{}: year {} in '{}' is outside {} to {}, the years carbonbench's clock holds; "
          "correct the timestamp",
          path, line, *year, time_text, kEarliestYear, kLatestYear));
    }
    if (!when) {
      throw std::runtime_error(fmt::format(
          "{}:{}: '{}' is not a timestamp; write ISO 8601 like 2026-11-23T14:00:00Z (UTC) or "
          "2026-11-23T15:00:00+01:00",
          path, line, time_text));
    }
    const std::optional<double> value = ParseNumber(value_text);
    if (!value) {
      throw std::runtime_error(
          fmt::format("{}:{}: '{}' is not a number; write the intensity in gCO2e/kWh like 212.5",
                      path, line, value_text));
    }
    if (*value < 0) {
      throw std::runtime_error(fmt::format(
          "{}:{}: intensity {:g} is negative; grid carbon intensity is at least 0 gCO2e/kWh", path,
          line, *value));
    }
    if (*value > kMaxIntensityGPerKwh) {
      throw std::runtime_error(fmt::format(
          "{}:{}: intensity {:g} gCO2e/kWh is above {:g}, more than any grid emits; write the "
          "value in gCO2e/kWh (a figure in g/MWh is 1000 times too large)",
          path, line, *value, kMaxIntensityGPerKwh));
    }
    if (!values.empty() && *when <= values.back().first) {
      const int previous_line = value_lines.back();
      if (*when == values.back().first) {
        throw std::runtime_error(
            fmt::format("{}:{}: timestamp {} repeats line {}; keep one row per hour", path, line,
                        FormatIso8601Utc(*when), previous_line));
      }
      throw std::runtime_error(fmt::format(
          "{}:{}: timestamp {} is earlier than line {}'s {}; sort the rows by time", path, line,
          FormatIso8601Utc(*when), previous_line, FormatIso8601Utc(values.back().first)));
    }
    values.emplace_back(*when, *value);
    value_lines.push_back(line);
  }
  IntensitySeries series;
  series.points_ = Cover(values);
  series.path_ = path;
  return series;
}

IntensitySeries IntensitySeries::FromHourly(
    const std::vector<std::pair<Clock::time_point, double>>& values, const std::string& origin) {
  if (values.empty()) throw std::invalid_argument(fmt::format("{}: no values", origin));
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (!(values[i].second >= 0) || !(values[i].second <= kMaxIntensityGPerKwh)) {
      throw std::invalid_argument(fmt::format("{}: value {} ({:g}) is not a number from 0 to {:g}",
                                              origin, i, values[i].second, kMaxIntensityGPerKwh));
    }
    if (i > 0 && values[i].first <= values[i - 1].first) {
      throw std::invalid_argument(fmt::format("{}: value {} at {} is not after value {} at {}",
                                              origin, i, FormatIso8601Utc(values[i].first), i - 1,
                                              FormatIso8601Utc(values[i - 1].first)));
    }
  }
  IntensitySeries series;
  series.points_ = Cover(values);
  return series;
}

std::optional<double> IntensitySeries::At(Clock::time_point when) const {
  // The last row starting at or before `when`.
  const auto after =
      std::upper_bound(points_.begin(), points_.end(), when,
                       [](Clock::time_point t, const Point& point) { return t < point.start; });
  if (after == points_.begin()) return std::nullopt;
  const Point& point = *std::prev(after);
  if (when >= point.end) return std::nullopt;
  return point.g_per_kwh;
}

std::vector<std::pair<Clock::time_point, Clock::time_point>> IntensitySeries::Uncovered(
    Clock::time_point from, Clock::time_point to) const {
  std::vector<std::pair<Clock::time_point, Clock::time_point>> gaps;
  Clock::time_point t = from;
  for (const Point& point : points_) {
    if (t >= to) break;
    if (point.end <= t) continue;
    if (point.start > t) gaps.emplace_back(t, std::min(point.start, to));
    t = std::max(t, point.end);
  }
  if (t < to) gaps.emplace_back(t, to);
  return gaps;
}

double IntegrateCo2Grams(const std::vector<EnergyInterval>& intervals,
                         const CarbonIntensity& carbon) {
  double grams = 0;
  for (const EnergyInterval& interval : intervals) {
    if (interval.end < interval.start) {
      throw std::invalid_argument(fmt::format("energy interval ends ({}) before it starts ({})",
                                              FormatIso8601Utc(interval.end),
                                              FormatIso8601Utc(interval.start)));
    }
    if (!(interval.energy_wh >= 0)) {
      throw std::invalid_argument(fmt::format(
          "energy interval has {:g} Wh; energy cannot be negative", interval.energy_wh));
    }
    if (interval.energy_wh == 0) continue;
    if (!carbon.hourly || interval.end == interval.start) {
      grams += WhTimesGPerKwhToGrams(interval.energy_wh, carbon.GPerKwhAt(interval.start));
      continue;
    }
    const auto& points = carbon.hourly->points();
    const double duration = std::chrono::duration<double>(interval.end - interval.start).count();
    Clock::time_point t = interval.start;
    // The first row that ends after `t`; rows before it cannot cover anything left.
    auto row = std::upper_bound(points.begin(), points.end(), t,
                                [](Clock::time_point time, const IntensitySeries::Point& point) {
                                  return time < point.end;
                                });
    while (t < interval.end) {
      double g_per_kwh = carbon.g_per_kwh;
      Clock::time_point piece_end = interval.end;
      if (row != points.end() && row->start <= t) {
        g_per_kwh = row->g_per_kwh;
        piece_end = std::min(piece_end, row->end);
        ++row;
      } else if (row != points.end()) {
        piece_end = std::min(piece_end, row->start);  // uncovered until the next row
      }
      const double share = std::chrono::duration<double>(piece_end - t).count() / duration;
      grams += WhTimesGPerKwhToGrams(interval.energy_wh * share, g_per_kwh);
      t = piece_end;
    }
  }
  return grams;
}

}  // namespace carbonbench
