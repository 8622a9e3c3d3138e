// Number formats and Markdown tables of the report. Every quantity has one
// precision, used wherever it appears, so the same figure never reads
// differently in two sections (and golden tests stay stable).
#pragma once

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

// Makes text read literally in Markdown: backslashes, emphasis, code,
// links and HTML characters escaped, and underscores that could open or
// close emphasis (at a word's edge; "snake_case_name" is left as it is).
std::string EscapeText(const std::string& text);
// Makes text safe inside a table cell: as EscapeText, with pipes escaped
// and line breaks flattened.
std::string EscapeCell(const std::string& text);

enum class Align { kLeft, kRight };

struct Column {
  std::string header;
  Align align = Align::kLeft;
};

// A Markdown table padded to column width, so the raw text reads as a
// table too. Cells are escaped when added.
class MarkdownTable {
 public:
  explicit MarkdownTable(std::vector<Column> columns);
  void AddRow(const std::vector<std::string>& cells);
  std::string Render() const;

 private:
  std::vector<std::size_t> Widths() const;

  std::vector<Column> columns_;
  std::vector<std::vector<std::string>> rows_;
};

}  // namespace carbonbench::report
