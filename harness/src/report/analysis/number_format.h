// Number formats of the report: one rule for every figure it prints.
//
// Quantities (time, energy, CO2, accuracy per Wh, losses, errors, latency,
// throughput) print with three significant digits in fixed-point, with
// thousands separators and never an exponent: 0.000494, 12.3, 1,240. A
// figure that is not zero never reads "0" or "0.000". Percentages of a whole
// (accuracy, shares, changes) keep a fixed number of decimals instead, as
// they are bounded and read by their difference. Each quantity has one
// format, used wherever it appears, so the same figure never reads
// differently in two sections or sentences (and golden tests stay stable).
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace carbonbench::report {

// Significant digits of every quantity.
inline constexpr int kSignificantDigits = 3;

// Digits after the decimal point of percentages and fixed settings.
inline constexpr int kPercentDigits = 2;  // accuracies
inline constexpr int kDeltaPercentDigits = 1;
inline constexpr int kIntensityDigits = 1;  // g/kWh
inline constexpr int kPueDigits = 2;

// What a table shows where there is no value.
inline constexpr const char* kNone = "—";

// Fixed-point text; never "-0.0". For percentages and settings only.
std::string Fixed(double value, int digits);
// `digits` significant digits in fixed-point, never an exponent, with
// thousands separators: 0.000494, 12.3, 1,240, 14,200,000. The rule for
// every quantity.
std::string Significant(double value, int digits = kSignificantDigits);
// "12,345": an exact count with thousands separators.
std::string Count(long long value);
// The shortest text that reads back as the value: 1, 0.5, 2.25.
std::string Compact(double value);
// Fixed-point with an explicit sign for changes: "+12.5", "-3.0", "0.0".
std::string Signed(double value, int digits);

// Accuracy per energy reads per Wh: a suite's runs spend fractions of a Wh,
// so per kWh the figures run to millions. Records and exports keep per kWh
// (accuracy_percent_per_kwh); the report divides by this.
inline constexpr double kWhPerKwh = 1000.0;
// "4,590 %/Wh" from accuracy % per kWh.
std::string AccuracyPerWhText(double percent_per_kwh);

// Mean and sample standard deviation of repeated runs.
struct Stat {
  double mean = 0;
  double stddev = 0;
  int count = 0;
};
Stat Summarize(const std::vector<double>& values);
// "12.5" for one value, "12.5 ± 0.3" for several.
std::string FormatStat(const Stat& stat, int digits);

// As FormatStat, in significant digits: "0.0412", "0.0412 ± 0.00130".
std::string FormatStatSignificant(const Stat& stat, int digits = kSignificantDigits);
// The stat of the same runs in another unit: mean and spread times `factor`.
Stat ScaledStat(const Stat& stat, double factor);

// Counts such as epochs: "3", "3 ± 0", "2.5 ± 0.7".
std::string FormatCount(const Stat& stat);

// Error bands of estimated energy. A band is ± Wh around a figure (PUE
// applied, so it scales with CO2 alike); 0 means none is known (a counter's
// figure, or a run stored before bands), and such a figure prints as it
// always did.
//
// The band as a percentage of the figure (35 for ±35%); empty without a
// band or for a figure that is not positive.
std::optional<double> BandPercent(double value, double band);
// "±35%" (two significant digits: "±3.5%") of a band in percent.
std::string BandPercentText(double percent);
// As BandPercentText, of a band in Wh around `value`; "" without a band.
std::string BandText(double value, double band);
// For sentences: "0.21 Wh, estimated ±35%" from "0.21 Wh"; the figure
// unchanged without a band.
std::string WithBand(const std::string& figure, double value, double band);
// For table cells: "0.21 ±35%"; the figure unchanged without a band.
std::string WithCompactBand(const std::string& figure, double value, double band);
// Bands of several runs add: a sum's band is the sum of theirs, a mean's the
// mean of theirs. Not the root of summed squares: an estimator's error is
// not independent between runs (one curve under- or over-counts every
// interval on a machine alike), so the errors line up instead of cancelling.
double SumOfBands(const std::vector<double>& bands);
double MeanOfBands(const std::vector<double>& bands);

}  // namespace carbonbench::report
