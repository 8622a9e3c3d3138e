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

// "1,234,567.5" from "1234567.5": a comma between each three whole digits.
std::string WithThousands(const std::string& text) {
  const std::size_t start = text.find_first_of("0123456789");
  if (start == std::string::npos) return text;
  std::size_t end = text.find_first_not_of("0123456789", start);
  if (end == std::string::npos) end = text.size();
  std::string out = text.substr(0, start);
  for (std::size_t i = start; i < end; ++i) {
    out += text[i];
    const std::size_t left = end - i - 1;
    if (left > 0 && left % 3 == 0) out += ',';
  }
  return out + text.substr(end);
}

}  // namespace

std::string Fixed(double value, int digits) {
  return DropSignOfZero(fmt::format("{:.{}f}", value, digits));
}

std::string Significant(double value, int digits) {
  if (value == 0 || !std::isfinite(value)) return Fixed(value, 0);
  const int magnitude = static_cast<int>(std::floor(std::log10(std::abs(value))));
  const int decimals = digits - 1 - magnitude;
  if (decimals <= 0) {
    // Whole digits beyond the significant ones read as zeros: 14,207,574
    // prints 14,200,000.
    const double unit = std::pow(10.0, -decimals);
    return WithThousands(Fixed(std::round(value / unit) * unit, 0));
  }
  // Rounding may carry into a new digit (9.995 -> 10.0): drop the extra one.
  std::string text = Fixed(value, decimals);
  const double rounded = std::stod(text);
  if (rounded != 0 && static_cast<int>(std::floor(std::log10(std::abs(rounded)))) > magnitude) {
    text = Fixed(value, decimals - 1);
  }
  return WithThousands(text);
}

std::string Count(long long value) { return WithThousands(std::to_string(value)); }

std::string Compact(double value) { return fmt::format("{:g}", value); }

std::string Signed(double value, int digits) {
  return DropSignOfZero(fmt::format("{:+.{}f}", value, digits));
}

std::string AccuracyPerWhText(double percent_per_kwh) {
  return Significant(percent_per_kwh / kWhPerKwh) + " %/Wh";
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

Stat ScaledStat(const Stat& stat, double factor) {
  return {stat.mean * factor, stat.stddev * factor, stat.count};
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
