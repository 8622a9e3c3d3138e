// Univariate time series from a CSV file (a date column and a value column),
// gap filling, and sliding windows for forecasting.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace carbonbench {

struct TimeSeries {
  std::vector<std::string> dates;  // as written in the file, one per row
  std::vector<double> values;      // NaN where the row's value was missing
  std::string date_column;         // the header names actually used
  std::string value_column;
  std::int64_t missing_count = 0;  // NaN entries in values
};

// Reads a CSV with a header (RFC 4180 quoting). `date_column` and
// `value_column` pick columns by name (case-insensitive); empty means the
// first and the second column. A value that is empty, NA, N/A, NaN, nan or
// null is missing (kept as NaN, counted); any other non-number, an infinite
// one, or one beyond ±1e150 (its square would overflow) throws
// std::runtime_error naming file:line, as does a date that is not after the
// one before it, where both are numbers (19580329, 1958.25) or ISO 8601
// (1958-03-29, 1958-03, 1958-03-29 12:00); other date labels are kept in file
// order unchecked. A series whose values are all missing throws naming the
// file. The file is read only if it is a regular file of at most 256 MiB.
TimeSeries ReadTimeSeriesCsv(const std::string& path, const std::string& date_column = "",
                             const std::string& value_column = "");

struct FillReport {
  std::int64_t filled = 0;       // NaN entries replaced
  std::int64_t longest_gap = 0;  // most consecutive NaN entries
};

// Replaces NaN in place: linear interpolation between the nearest known
// neighbours; a gap at the start or end takes the nearest known value.
// Throws std::runtime_error if no value is known at all.
FillReport FillMissing(std::vector<double>& values);

// Sliding windows: window t has inputs values[t .. t+window-1] and target
// values[t+window+horizon-1] (horizon 1 = the next value).
struct Windows {
  std::int64_t count = 0;
  std::int64_t window = 0;
  std::int64_t horizon = 0;
  std::vector<double> inputs;    // count x window, row-major
  std::vector<double> targets;   // count
  std::int64_t first_index = 0;  // index in the series of window 0's first input
};

// All count = values.size() - window - horizon + 1 windows. Throws
// std::runtime_error when window < 1, horizon < 1, or the series is too short
// for one window, or holds NaN (call FillMissing first).
Windows MakeWindows(const std::vector<double>& values, std::int64_t window, std::int64_t horizon);

struct WindowSplit {
  Windows train;
  Windows test;
  // Index in the series of the first value of the test period: every train
  // target (and so every train input) lies before it, every test target at
  // or after it.
  std::int64_t test_start_index = 0;
};

// Chronological split, no shuffling. The rule: a window belongs to the period
// its TARGET falls in. The first round((1 - test_fraction) * count) windows
// train, the rest test; as targets advance one step per window, no train
// window reads (as input or target) any value of the test period. A test
// window's inputs may reach back into the train period, as a real forecast
// sees the recent past. Throws std::runtime_error unless 0 < test_fraction
// < 1 and both sides get at least one window.
WindowSplit SplitWindowsChronologically(const Windows& windows, double test_fraction);

}  // namespace carbonbench
