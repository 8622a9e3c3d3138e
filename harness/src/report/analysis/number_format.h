// Number formats of the report. Every quantity has one precision, used
// wherever it appears, so the same figure never reads differently in two
// sections or sentences (and golden tests stay stable).
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace carbonbench::report {

// Digits after the decimal point, per quantity.
inline constexpr int kSecondsDigits = 1;
inline constexpr int kWhDigits = 3;
inline constexpr int kCo2Digits = 3;
inline constexpr int kPercentDigits = 2;  // accuracies
inline constexpr int kLossDigits = 4;
inline constexpr int kAccPerKwhDigits = 1;  // accuracy % per kWh
inline constexpr int kErrorDigits = 3;      // RMSE and MAE, in the target's units
inline constexpr int kDeltaPercentDigits = 1;
inline constexpr int kIntensityDigits = 1;  // g/kWh
inline constexpr int kPueDigits = 2;

// What a table shows where there is no value.
inline constexpr const char* kNone = "—";

// Fixed-point text; never "-0.0".
std::string Fixed(double value, int digits);
// `digits` significant digits in fixed-point, never an exponent: 0.000494,
// 12.3, 1235. For figures that span orders of magnitude (Wh, g CO2).
std::string Significant(double value, int digits = 3);
// The shortest text that reads back as the value: 1, 0.5, 2.25.
std::string Compact(double value);
// Fixed-point with an explicit sign for changes: "+12.5", "-3.0", "0.0".
std::string Signed(double value, int digits);

// Mean and sample standard deviation of repeated runs.
struct Stat {
  double mean = 0;
  double stddev = 0;
  int count = 0;
};
Stat Summarize(const std::vector<double>& values);
// "12.5" for one value, "12.5 ± 0.3" for several.
std::string FormatStat(const Stat& stat, int digits);

// As FormatStat, in significant digits: "0.0412", "0.0412 ± 0.0013".
std::string FormatStatSignificant(const Stat& stat, int digits = 3);

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
