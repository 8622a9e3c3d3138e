// Time-varying grid carbon intensity: an hourly (or finer) series read from a
// CSV file, and the CO2 of metered energy charged at the intensity of the
// moment it was drawn.
//
// CSV format: a header row naming a time column, `timestamp` (or `datetime`,
// as Electricity Maps' API names it), and an intensity column in gCO2e/kWh,
// `g_per_kwh` (or `carbon_intensity`); names are matched in any letter case,
// other columns are ignored, blank lines and lines starting with '#' are
// skipped. Electricity Maps' CSV downloads name their columns differently
// ("Datetime (UTC)", "Carbon Intensity gCO₂eq/kWh (LCA)"): rename those two
// in the header.
//   timestamp,g_per_kwh
//   2026-11-23T14:00:00Z,212.5
//   2026-11-23T15:00:00Z,198
// Timestamps are ISO 8601: a date, 'T' or a space, hours:minutes with optional
// seconds and fraction, then 'Z', an offset (+01:00, +0100) or nothing, which
// is read as UTC. Rows must be in strictly increasing time order. Each row
// covers [its time, the next row's time), at most one hour; the last row
// covers one hour. A moment no row covers (before the first row, after the
// last, in a gap of more than an hour) has no value here: the run is charged
// at the region's figure there and its warnings say which hours those were
// (CarbonIntensity::UncoveredWarning). Values are at most
// kMaxIntensityGPerKwh, the cap of carbon.intensity_g_per_kwh; years are
// kEarliestYear to kLatestYear, the range the clock holds.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace carbonbench {

struct CarbonIntensity;

// The dirtiest grids are near 1,000 gCO2e/kWh; five times that is a typo or
// a unit mistake (g/MWh), not a grid.
inline constexpr double kMaxIntensityGPerKwh = 5000.0;
// The span of std::chrono::system_clock's nanosecond count (1677-09-21 to
// 2262-04-11), in whole years.
inline constexpr int kEarliestYear = 1678;
inline constexpr int kLatestYear = 2261;

class IntensitySeries {
 public:
  using Clock = std::chrono::system_clock;

  // One row: `g_per_kwh` over [start, end).
  struct Point {
    Clock::time_point start;
    Clock::time_point end;
    double g_per_kwh = 0;
  };

  // Throws std::runtime_error naming path:line, what is wrong and how to fix
  // it: unreadable, empty, not a regular file or over 64 MiB, bad header,
  // bad timestamp or number,
  // intensity negative or above kMaxIntensityGPerKwh, a year outside
  // kEarliestYear..kLatestYear, duplicate or out-of-order timestamps.
  static IntensitySeries ReadCsv(const std::string& path);

  // From (start, g/kWh) pairs in strictly increasing time order, with the
  // coverage rules of the CSV; `origin` names them in errors. Throws
  // std::invalid_argument for an empty or unsorted series or a value that
  // is negative or above kMaxIntensityGPerKwh.
  static IntensitySeries FromHourly(const std::vector<std::pair<Clock::time_point, double>>& values,
                                    const std::string& origin = "intensity series");

  // The intensity covering `when`, or nullopt when no row covers it.
  std::optional<double> At(Clock::time_point when) const;

  // The parts of [from, to) that no row covers, in order, adjacent rows'
  // coverage merged; empty when every moment has a value.
  std::vector<std::pair<Clock::time_point, Clock::time_point>> Uncovered(
      Clock::time_point from, Clock::time_point to) const;

  std::size_t size() const { return points_.size(); }
  Clock::time_point first_hour() const { return points_.front().start; }
  Clock::time_point last_hour() const { return points_.back().start; }
  // The end of the last row's coverage.
  Clock::time_point end() const { return points_.back().end; }
  const std::vector<Point>& points() const { return points_; }
  // The file it was read from ("" when built from values).
  const std::string& path() const { return path_; }

 private:
  IntensitySeries() = default;

  std::vector<Point> points_;  // sorted, non-overlapping
  std::string path_;
};

// Parses an ISO 8601 timestamp as the CSV takes it; nullopt when it is not
// one or its year is outside kEarliestYear..kLatestYear.
std::optional<std::chrono::system_clock::time_point> ParseIso8601Utc(const std::string& text);

// "2026-11-23T14:00:00Z" (whole seconds, UTC).
std::string FormatIso8601Utc(std::chrono::system_clock::time_point when);

// Energy metered over [start, end).
struct EnergyInterval {
  std::chrono::system_clock::time_point start;
  std::chrono::system_clock::time_point end;
  double energy_wh = 0;
};

// Grams of CO2e for `intervals`: each interval's energy is spread evenly
// over its duration, split where the hourly series changes value (at hour
// boundaries for an hourly CSV) and charged at carbon.GPerKwhAt for each
// piece; with no series, or where the series has no row, at
// carbon.g_per_kwh. A zero-length interval is charged at its start.
// PUE is NOT applied: pass energy as drawn from the grid (the sampler's
// figures already include carbon.pue). Throws std::invalid_argument for an
// interval that ends before it starts or has negative energy.
double IntegrateCo2Grams(const std::vector<EnergyInterval>& intervals,
                         const CarbonIntensity& carbon);

}  // namespace carbonbench
