#include "report/analysis/number_format.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <stdexcept>
#include <string_view>

#include <fmt/format.h>

namespace carbonbench::report {
namespace {

// A value that rounds to zero prints without a sign either way.
std::string DropSignOfZero(std::string text) {
  if (text.empty() || (text[0] != '-' && text[0] != '+')) return text;
  const bool all_zero = text.find_first_not_of("0.", 1) == std::string::npos;
  return all_zero ? text.substr(1) : text;
}

}  // namespace

std::string Fixed(double value, int digits) {
  return DropSignOfZero(fmt::format("{:.{}f}", value, digits));
}

std::string Significant(double value, int digits) {
  if (value == 0 || !std::isfinite(value)) return Fixed(value, 0);
  const int magnitude = static_cast<int>(std::floor(std::log10(std::abs(value))));
  const int decimals = std::max(0, digits - 1 - magnitude);
  // Rounding may carry into a new digit (9.995 -> 10.0): drop the extra one.
  std::string text = Fixed(value, decimals);
  const double rounded = std::stod(text);
  if (decimals > 0 && rounded != 0 &&
      static_cast<int>(std::floor(std::log10(std::abs(rounded)))) > magnitude) {
    text = Fixed(value, decimals - 1);
  }
  return text;
}

std::string Compact(double value) { return fmt::format("{:g}", value); }

std::string Signed(double value, int digits) {
  return DropSignOfZero(fmt::format("{:+.{}f}", value, digits));
}

Stat Summarize(const std::vector<double>& values) {
  Stat stat;
  stat.count = static_cast<int>(values.size());
  if (values.empty()) return stat;
  double sum = 0;
  for (const double value : values) sum += value;
  stat.mean = sum / stat.count;
  if (stat.count > 1) {
    double squares = 0;
    for (const double value : values) {
      squares += (value - stat.mean) * (value - stat.mean);
    }
    stat.stddev = std::sqrt(squares / (stat.count - 1));
  }
  return stat;
}

std::string FormatStat(const Stat& stat, int digits) {
  if (stat.count == 0) return kNone;
  std::string text = Fixed(stat.mean, digits);
  if (stat.count > 1) text += " ± " + Fixed(stat.stddev, digits);
  return text;
}

std::string FormatStatSignificant(const Stat& stat, int digits) {
  if (stat.count == 0) return kNone;
  std::string text = Significant(stat.mean, digits);
  if (stat.count > 1) text += " ± " + Significant(stat.stddev, digits);
  return text;
}

std::string FormatCount(const Stat& stat) {
  if (stat.count == 0) return kNone;
  const int digits = stat.mean == std::floor(stat.mean) ? 0 : 1;
  std::string text = Fixed(stat.mean, digits);
  if (stat.count > 1) text += " ± " + Fixed(stat.stddev, stat.stddev == 0 ? 0 : 1);
  return text;
}

std::optional<double> BandPercent(double value, double band) {
  if (!(band > 0) || !(value > 0) || !std::isfinite(band) || !std::isfinite(value)) {
    return std::nullopt;
  }
  return band / value * 100.0;
}

std::string BandPercentText(double percent) { return "±" + Significant(percent, 2) + "%"; }

std::string BandText(double value, double band) {
  const auto percent = BandPercent(value, band);
  return percent ? BandPercentText(*percent) : "";
}

std::string WithBand(const std::string& figure, double value, double band) {
  const std::string text = BandText(value, band);
  return text.empty() ? figure : figure + ", estimated " + text;
}

std::string WithCompactBand(const std::string& figure, double value, double band) {
  const std::string text = BandText(value, band);
  return text.empty() ? figure : figure + " " + text;
}

double SumOfBands(const std::vector<double>& bands) {
  double sum = 0;
  for (const double band : bands) sum += band;
  return sum;
}

double MeanOfBands(const std::vector<double>& bands) {
  return bands.empty() ? 0 : SumOfBands(bands) / static_cast<double>(bands.size());
}

}  // namespace carbonbench::report
