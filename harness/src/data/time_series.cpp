#include "data/time_series.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <stdexcept>

#include <fmt/format.h>

#include "data/file_io.h"
#include "data/input_limits.h"
#include "util/strings.h"

namespace carbonbench {
namespace {

constexpr const char* kLayout =
    "expected a CSV file whose header names the columns, then one row per time step in "
    "chronological order, e.g. \"date,value\" / \"1958-03-29,316.1\"";

[[noreturn]] void ThrowAt(const std::string& path, std::int64_t line, const std::string& what) {
  throw std::runtime_error(
      fmt::format("time-series CSV file {}:{}: {}; {}", path, line, what, kLayout));
}

bool IsMissingMarker(const std::string& trimmed) {
  const std::string lower = detail::LowerAscii(trimmed);
  return lower.empty() || lower == "na" || lower == "n/a" || lower == "nan" || lower == "null";
}

// Parses a whole field as a finite decimal number (locale-independent).
bool ParseNumber(const std::string& trimmed, double& value) {
  const char* begin = trimmed.data();
  const char* end = begin + trimmed.size();
  if (begin != end && *begin == '+') {  // from_chars takes '-' only
    ++begin;
    if (begin != end && *begin == '-') return false;
  }
  const auto result = std::from_chars(begin, end, value);
  return result.ec == std::errc() && result.ptr == end && std::isfinite(value);
}

// Squares of the values are summed (variance, RMSE); beyond this they
// overflow to infinity.
constexpr double kMaxAbsValue = 1e150;

// A date in a form whose order can be checked: a plain number (19580329, a
// year, a decimal year) or ISO 8601 (YYYY-MM[-DD][ or T HH:MM[:SS[.f]]][Z],
// '/' also taken between date parts). Anything else is a label kept in file
// order.
struct DateKey {
  enum class Kind { kNone, kNumber, kIso } kind = Kind::kNone;
  double number = 0;
  std::string iso;  // normalised: "YYYY-MM-DD HH:MM:SS", compared as text

  bool ComparableWith(const DateKey& other) const {
    return kind != Kind::kNone && kind == other.kind;
  }
  bool Before(const DateKey& other) const {
    return kind == Kind::kNumber ? number < other.number : iso < other.iso;
  }
};

bool AllDigits(const std::string& text, std::size_t begin, std::size_t count) {
  if (begin + count > text.size()) return false;
  for (std::size_t i = begin; i < begin + count; ++i) {
    if (text[i] < '0' || text[i] > '9') return false;
  }
  return true;
}

DateKey ParseDateKey(const std::string& date) {
  DateKey key;
  double number = 0;
  const auto parsed = std::from_chars(date.data(), date.data() + date.size(), number);
  if (parsed.ec == std::errc() && parsed.ptr == date.data() + date.size() &&
      std::isfinite(number)) {
    key.kind = DateKey::Kind::kNumber;
    key.number = number;
    return key;
  }
  std::string text = date;
  if (!text.empty() && text.back() == 'Z') text.pop_back();
  // YYYY-MM, then optional -DD, then optional time; each part fixed-width.
  const auto separator = [&](std::size_t at) {
    return at < text.size() && (text[at] == '-' || text[at] == '/');
  };
  if (!AllDigits(text, 0, 4) || !separator(4) || !AllDigits(text, 5, 2)) return key;
  std::string iso = text.substr(0, 4) + "-" + text.substr(5, 2);
  std::size_t at = 7;
  if (separator(at)) {
    if (!AllDigits(text, at + 1, 2)) return key;
    iso += "-" + text.substr(at + 1, 2);
    at += 3;
    if (at < text.size() && (text[at] == 'T' || text[at] == ' ')) {
      const std::string time = text.substr(at + 1);
      const bool hh_mm =
          AllDigits(time, 0, 2) && time.size() >= 5 && time[2] == ':' && AllDigits(time, 3, 2);
      if (!hh_mm) return key;
      std::string seconds = time.size() > 5 ? time.substr(5) : ":00";
      if (seconds[0] != ':' || !AllDigits(seconds, 1, 2)) return key;
      for (std::size_t i = 3; i < seconds.size(); ++i) {
        if (!(i == 3 && seconds[i] == '.') && !AllDigits(seconds, i, 1)) return key;
      }
      iso += " " + time.substr(0, 5) + seconds;
      at = text.size();
    }
  }
  if (at != text.size()) return key;
  key.kind = DateKey::Kind::kIso;
  key.iso = iso;
  return key;
}

int ChooseColumn(const std::string& path, std::int64_t header_line,
                 const std::vector<std::string>& header, const std::string& name, int default_index,
                 const char* role) {
  if (name.empty()) {
    if (default_index >= static_cast<int>(header.size())) {
      ThrowAt(path, header_line,
              "the header has " + std::to_string(header.size()) + " column" +
                  (header.size() == 1 ? "" : "s") + " (" + JoinStrings(header, ", ") +
                  "), need a date and a value column");
    }
    return default_index;
  }
  const int index = detail::FindColumn(header, name);
  if (index < 0) {
    ThrowAt(path, header_line,
            std::string("no ") + role + " column '" + name + "'" + DidYouMean(name, header) +
                " (the header has: " + JoinStrings(header, ", ") + ")");
  }
  return index;
}

}  // namespace

TimeSeries ReadTimeSeriesCsv(const std::string& path, const std::string& date_column,
                             const std::string& value_column) {
  const std::vector<detail::CsvRecord> records = detail::ParseCsv(
      detail::ReadWholeFile(path, "time-series CSV file", detail::kMaxTimeSeriesCsvBytes), path);
  if (records.empty()) ThrowAt(path, 1, "the file is empty");
  const std::vector<std::string>& header = records.front().fields;
  const std::int64_t header_line = records.front().line;
  const int date_index = ChooseColumn(path, header_line, header, date_column, 0, "date");
  const int value_index = ChooseColumn(path, header_line, header, value_column, 1, "value");
  if (date_index == value_index) {
    ThrowAt(path, header_line,
            "the date and the value column are both '" + header[date_index] +
                "'; name two different columns");
  }
  if (records.size() == 1) ThrowAt(path, header_line, "a header but no rows");
  TimeSeries series;
  series.date_column = detail::TrimAscii(header[date_index]);
  series.value_column = detail::TrimAscii(header[value_index]);
  DateKey previous_key;  // of the last row whose date could be ordered
  std::string previous_date;
  std::int64_t previous_line = 0;
  for (std::size_t i = 1; i < records.size(); ++i) {
    const detail::CsvRecord& record = records[i];
    if (record.fields.size() != header.size()) {
      ThrowAt(path, record.line,
              "row has " + std::to_string(record.fields.size()) + " fields, the header " +
                  std::to_string(header.size()));
    }
    const std::string date = detail::TrimAscii(record.fields[date_index]);
    if (date.empty())
      ThrowAt(path, record.line, "the date (column " + series.date_column + ") is empty");
    const std::string field = detail::TrimAscii(record.fields[value_index]);
    double value = std::numeric_limits<double>::quiet_NaN();
    if (IsMissingMarker(field)) {
      ++series.missing_count;
    } else if (!ParseNumber(field, value)) {
      ThrowAt(path, record.line,
              "value '" + detail::ToValidUtf8(field) + "' in column " + series.value_column +
                  " is not a finite number (a missing value is written as an empty field, NA "
                  "or NaN)");
    } else if (std::fabs(value) > kMaxAbsValue) {
      ThrowAt(path, record.line,
              fmt::format("value '{}' in column {} is too large: beyond ±{:g} its square "
                          "overflows (scale the column, e.g. to other units)",
                          detail::ToValidUtf8(field), series.value_column, kMaxAbsValue));
    }
    DateKey key = ParseDateKey(date);
    if (key.ComparableWith(previous_key) && !previous_key.Before(key)) {
      const bool repeated = !key.Before(previous_key);
      ThrowAt(path, record.line,
              fmt::format("date '{}' {} '{}' on line {}; rows must be in chronological order, "
                          "each date once (sort the file by date and drop repeated rows)",
                          detail::ToValidUtf8(date), repeated ? "repeats" : "is not after",
                          detail::ToValidUtf8(previous_date), previous_line));
    }
    if (key.kind != DateKey::Kind::kNone) {
      previous_key = std::move(key);
      previous_date = date;
      previous_line = record.line;
    }
    series.dates.push_back(date);
    series.values.push_back(value);
  }
  if (series.missing_count == static_cast<std::int64_t>(series.values.size())) {
    throw std::runtime_error(
        fmt::format("time-series CSV file {}: all {} values in column {} are missing (empty, NA "
                    "or NaN); nothing to learn from (is value_column the right column?)",
                    path, series.values.size(), series.value_column));
  }
  return series;
}

FillReport FillMissing(std::vector<double>& values) {
  FillReport report;
  const std::size_t size = values.size();
  std::size_t i = 0;
  bool any_known = false;
  for (double value : values) any_known = any_known || !std::isnan(value);
  if (!any_known) {
    if (size == 0) return report;
    throw std::runtime_error(
        fmt::format("FillMissing: all {} values are missing; nothing to interpolate from", size));
  }
  while (i < size) {
    if (!std::isnan(values[i])) {
      ++i;
      continue;
    }
    const std::size_t gap_begin = i;
    while (i < size && std::isnan(values[i])) ++i;
    const std::size_t gap_end = i;  // one past the gap
    const auto gap = static_cast<std::int64_t>(gap_end - gap_begin);
    report.filled += gap;
    report.longest_gap = std::max(report.longest_gap, gap);
    if (gap_begin == 0) {
      for (std::size_t j = gap_begin; j < gap_end; ++j) values[j] = values[gap_end];
    } else if (gap_end == size) {
      for (std::size_t j = gap_begin; j < gap_end; ++j) values[j] = values[gap_begin - 1];
    } else {
      const double left = values[gap_begin - 1];
      const double right = values[gap_end];
      const double span = static_cast<double>(gap_end - gap_begin + 1);
      for (std::size_t j = gap_begin; j < gap_end; ++j) {
        const double fraction = static_cast<double>(j - gap_begin + 1) / span;
        values[j] = left + (right - left) * fraction;
      }
    }
  }
  return report;
}

Windows MakeWindows(const std::vector<double>& values, std::int64_t window, std::int64_t horizon) {
  if (window < 1 || horizon < 1) {
    throw std::runtime_error(
        fmt::format("time-series windows: window ({}) and horizon ({}) must both be at least 1",
                    window, horizon));
  }
  const auto size = static_cast<std::int64_t>(values.size());
  const std::int64_t span = window + horizon;  // values one window touches
  if (size < span) {
    throw std::runtime_error(fmt::format(
        "time-series windows: the series has {} values, too few for one window: window {} + "
        "horizon {} needs at least {}; use a smaller window/horizon or a longer series",
        size, window, horizon, span));
  }
  for (std::int64_t i = 0; i < size; ++i) {
    if (std::isnan(values[static_cast<std::size_t>(i)])) {
      throw std::runtime_error(fmt::format(
          "time-series windows: value {} is missing (NaN); fill gaps first (FillMissing)", i));
    }
  }
  Windows windows;
  windows.count = size - span + 1;
  windows.window = window;
  windows.horizon = horizon;
  windows.inputs.reserve(static_cast<std::size_t>(windows.count * window));
  windows.targets.reserve(static_cast<std::size_t>(windows.count));
  for (std::int64_t t = 0; t < windows.count; ++t) {
    const auto begin = values.begin() + t;
    windows.inputs.insert(windows.inputs.end(), begin, begin + window);
    windows.targets.push_back(values[static_cast<std::size_t>(t + window + horizon - 1)]);
  }
  return windows;
}

WindowSplit SplitWindowsChronologically(const Windows& windows, double test_fraction) {
  if (!(test_fraction > 0.0 && test_fraction < 1.0)) {
    throw std::runtime_error(
        fmt::format("time-series split: test_fraction must be between 0 and 1 (exclusive), got {}",
                    std::to_string(test_fraction)));
  }
  const auto train_count = static_cast<std::int64_t>(
      std::llround((1.0 - test_fraction) * static_cast<double>(windows.count)));
  if (train_count < 1 || train_count >= windows.count) {
    throw std::runtime_error(fmt::format(
        "time-series split: {} windows with test_fraction {} leave {} for training and {} for "
        "test; both need at least one (use a longer series, a smaller window, or another "
        "test_fraction)",
        windows.count, std::to_string(test_fraction), train_count, windows.count - train_count));
  }
  const auto slice = [&](std::int64_t begin, std::int64_t end) {
    Windows part;
    part.count = end - begin;
    part.window = windows.window;
    part.horizon = windows.horizon;
    part.first_index = windows.first_index + begin;
    part.inputs.assign(windows.inputs.begin() + begin * windows.window,
                       windows.inputs.begin() + end * windows.window);
    part.targets.assign(windows.targets.begin() + begin, windows.targets.begin() + end);
    return part;
  };
  WindowSplit split;
  split.train = slice(0, train_count);
  split.test = slice(train_count, windows.count);
  split.test_start_index = windows.first_index + train_count + windows.window + windows.horizon - 1;
  return split;
}

}  // namespace carbonbench
