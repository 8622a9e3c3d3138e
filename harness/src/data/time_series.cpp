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
    }
    series.dates.push_back(date);
    series.values.push_back(value);
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
