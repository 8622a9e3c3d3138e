#include "energy/intensity_series.h"

#include <sys/stat.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "energy/carbon_intensity.h"
#include "energy/reference_files.h"
#include "error_message.h"
#include "temp_dir_test.h"

namespace carbonbench {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;
using test_support::ExpectErrorContaining;
using TimePoint = std::chrono::system_clock::time_point;

// 2026-11-23T14:00:00Z (calendar.timegm((2026, 11, 23, 14, 0, 0))).
const TimePoint k14h = TimePoint(seconds(1795442400));
const TimePoint k15h = k14h + hours(1);
const TimePoint k16h = k14h + hours(2);

TimePoint At(const std::string& text) {
  const std::optional<TimePoint> parsed = ParseIso8601Utc(text);
  EXPECT_TRUE(parsed.has_value()) << text;
  return parsed.value_or(TimePoint{});
}

// A CSV file in a temporary folder, removed with the fixture.
class IntensityCsvTest : public test_support::TempDirTest {
 protected:
  std::string Write(const std::string& content) {
    return TempDirTest::Write("intensity.csv", content);
  }

  // Reading `content` fails with a message that starts with the file's path
  // followed by `after_path` (":3:", ": the file is empty") and holds `pieces`.
  void ExpectRefused(const std::string& content, const std::string& after_path,
                     std::vector<std::string> pieces = {}) {
    const std::string path = Write(content);
    pieces.insert(pieces.begin(), path + after_path);
    ExpectErrorContaining([&] { IntensitySeries::ReadCsv(path); }, pieces);
  }
};

// --- Timestamps ---

TEST(Iso8601Test, AcceptedForms) {
  EXPECT_EQ(At("2026-11-23T14:00:00Z"), k14h);
  EXPECT_EQ(At("2026-11-23T14:00Z"), k14h);
  EXPECT_EQ(At("2026-11-23 14:00"), k14h);  // no zone: UTC
  EXPECT_EQ(At("2026-11-23 14:00:00"), k14h);
  EXPECT_EQ(At("2026-11-23T15:00:00+01:00"), k14h);  // an offset is honoured
  EXPECT_EQ(At("2026-11-23T09:30:00-0430"), k14h);
  EXPECT_EQ(At("2026-11-23T14:00:00.250Z"), k14h + std::chrono::milliseconds(250));
  EXPECT_EQ(At("  2026-11-23T14:00:00Z "), k14h);
  EXPECT_EQ(At("2024-02-29T00:00:00Z"), TimePoint(seconds(1709164800)));
  EXPECT_EQ(At("1970-01-01T00:00:00Z"), TimePoint{});
}

TEST(Iso8601Test, RefusedForms) {
  for (const std::string text :
       {"", "2026-11-23", "23/11/2026 14:00", "2026-13-01T00:00Z", "2026-02-29T00:00Z",
        "2026-11-31T00:00Z", "2026-11-23T24:00Z", "2026-11-23T14:60Z", "2026-11-23T14:00:00Zx",
        "2026-11-23T14:00:00 UTC", "2026-11-23T14:00:00+1", "2026-11-23T14", "2026-1-23T14:00"}) {
    EXPECT_FALSE(ParseIso8601Utc(text).has_value()) << text;
  }
}

// Year 1013 overflowed the nanosecond clock (undefined behaviour) while the
// time point was computed.
TEST(Iso8601Test, RefusesYearsTheClockCannotHold) {
  for (const std::string text : {"1013-01-01 00:00+01:00", "0000-01-01T00:00Z", "1677-12-31T23:59Z",
                                 "2262-01-01T00:00Z", "9999-12-31T23:59:59Z"}) {
    EXPECT_FALSE(ParseIso8601Utc(text).has_value()) << text;
  }
  EXPECT_TRUE(ParseIso8601Utc("1678-01-01T00:00Z").has_value());
  EXPECT_TRUE(ParseIso8601Utc("2261-12-31T23:59Z").has_value());
}

TEST(Iso8601Test, FormatsUtc) {
  EXPECT_EQ(FormatIso8601Utc(k14h), "2026-11-23T14:00:00Z");
  EXPECT_EQ(FormatIso8601Utc(k14h + minutes(90) + seconds(7)), "2026-11-23T15:30:07Z");
  EXPECT_EQ(FormatIso8601Utc(TimePoint{} - seconds(1)), "1969-12-31T23:59:59Z");
  EXPECT_EQ(FormatIso8601Utc(At("2024-02-29T23:59:59Z")), "2024-02-29T23:59:59Z");
}

// --- Reading the CSV ---

TEST_F(IntensityCsvTest, ReadsRowsAndTheirCoverage) {
  const IntensitySeries series =
      IntensitySeries::ReadCsv(Write("timestamp,g_per_kwh\n"
                                     "2026-11-23T14:00:00Z,100\n"
                                     "2026-11-23T15:00:00Z,300.5\n"));
  EXPECT_EQ(series.size(), 2u);
  EXPECT_EQ(series.first_hour(), k14h);
  EXPECT_EQ(series.last_hour(), k15h);
  EXPECT_EQ(series.end(), k16h);  // the last row covers one hour
  EXPECT_EQ(series.path(), PathIn("intensity.csv"));
  EXPECT_EQ(series.At(k14h), 100);
  EXPECT_EQ(series.At(k14h + minutes(59)), 100);
  EXPECT_EQ(series.At(k15h), 300.5);
  EXPECT_EQ(series.At(k16h - seconds(1)), 300.5);
  EXPECT_FALSE(series.At(k16h).has_value());
  EXPECT_FALSE(series.At(k14h - seconds(1)).has_value());
}

TEST_F(IntensityCsvTest, RowCoversAtMostAnHour) {
  // A gap: 14:00 covers [14:00, 15:00), nothing covers [15:00, 17:00).
  const IntensitySeries series = IntensitySeries::ReadCsv(
      Write("timestamp,g_per_kwh\n2026-11-23T14:00:00Z,100\n2026-11-23T17:00:00Z,300\n"));
  EXPECT_EQ(series.At(k14h + minutes(30)), 100);
  EXPECT_FALSE(series.At(k15h + minutes(30)).has_value());
  EXPECT_EQ(series.At(k14h + hours(3)), 300);
}

TEST_F(IntensityCsvTest, SubHourlyRowsCoverUntilTheNext) {
  const IntensitySeries series = IntensitySeries::ReadCsv(
      Write("timestamp,g_per_kwh\n2026-11-23T14:00:00Z,100\n2026-11-23T14:15:00Z,200\n"));
  EXPECT_EQ(series.At(k14h + minutes(10)), 100);
  EXPECT_EQ(series.At(k14h + minutes(20)), 200);
  EXPECT_EQ(series.At(k14h + minutes(74)), 200);
  EXPECT_FALSE(series.At(k14h + minutes(75)).has_value());
}

TEST_F(IntensityCsvTest, ElectricityMapsNamesExtraColumnsAndOddLines) {
  // Byte-order mark, CRLF, another column first, a comment and a blank line.
  const IntensitySeries series =
      IntensitySeries::ReadCsv(Write("\xEF\xBB\xBFzone,Datetime,Carbon_Intensity\r\n"
                                     "# exported for FR\r\n"
                                     "FR,2026-11-23 14:00,55\r\n"
                                     "\r\n"
                                     "FR,2026-11-23T16:00:00+01:00,60\r\n"));
  EXPECT_EQ(series.size(), 2u);
  EXPECT_EQ(series.At(k14h), 55);
  EXPECT_EQ(series.At(k15h), 60);
}

TEST_F(IntensityCsvTest, EmptyFileIsRefused) {
  ExpectRefused("", ": the file is empty", {"timestamp,g_per_kwh"});
}

TEST_F(IntensityCsvTest, HeaderOnlyIsRefused) {
  ExpectRefused("timestamp,g_per_kwh\n", ": no rows after the header");
}

TEST_F(IntensityCsvTest, WrongHeaderIsRefused) {
  ExpectRefused("time,value\n2026-11-23T14:00:00Z,100\n",
                ":1:", {"found 'time,value'", "'timestamp,g_per_kwh'"});
}

TEST_F(IntensityCsvTest, BadTimestampNamesItsLine) {
  ExpectRefused("timestamp,g_per_kwh\n2026-11-23T14:00:00Z,100\n23/11/2026 15:00,120\n",
                ":3:", {"'23/11/2026 15:00' is not a timestamp", "2026-11-23T14:00:00Z"});
}

TEST_F(IntensityCsvTest, BadNumberNamesItsLine) {
  ExpectRefused("timestamp,g_per_kwh\n\n2026-11-23T14:00:00Z,12O\n",
                ":3:", {"'12O' is not a number", "gCO2e/kWh"});
}

TEST_F(IntensityCsvTest, MissingFieldNamesItsLine) {
  ExpectRefused("timestamp,g_per_kwh\n2026-11-23T14:00:00Z\n", ":2:", {"1 field(s)"});
}

TEST_F(IntensityCsvTest, NegativeIntensityIsRefused) {
  ExpectRefused("timestamp,g_per_kwh\n2026-11-23T14:00:00Z,-5\n",
                ":2:", {"intensity -5 is negative"});
}

TEST_F(IntensityCsvTest, DuplicateTimestampIsRefused) {
  // The same instant written in two zones.
  ExpectRefused("timestamp,g_per_kwh\n2026-11-23T14:00:00Z,100\n2026-11-23T15:00:00+01:00,120\n",
                ":3:", {"2026-11-23T14:00:00Z repeats line 2"});
}

TEST_F(IntensityCsvTest, UnsortedTimestampIsRefused) {
  ExpectRefused("timestamp,g_per_kwh\n2026-11-23T15:00:00Z,100\n2026-11-23T14:00:00Z,120\n",
                ":3:", {"is earlier than line 2's 2026-11-23T15:00:00Z", "sort the rows by time"});
}

TEST_F(IntensityCsvTest, IntensityAboveTheSuiteCapIsRefused) {
  ExpectRefused("timestamp,g_per_kwh\n2026-11-23T14:00:00Z,212\n2026-11-23T15:00:00Z,1e300\n",
                ":3:", {"intensity 1e+300 gCO2e/kWh is above 5000", "g/MWh"});
  ExpectRefused("timestamp,g_per_kwh\n2026-11-23T14:00:00Z,5000.5\n", ":2:", {"above 5000"});
  EXPECT_EQ(IntensitySeries::ReadCsv(Write("timestamp,g_per_kwh\n2026-11-23T14:00:00Z,5000\n"))
                .points()
                .front()
                .g_per_kwh,
            5000);
}

TEST_F(IntensityCsvTest, YearsTheClockCannotHoldAreRefused) {
  // 9999 would wrap the clock's nanosecond count to a date in 1700-something.
  ExpectRefused("timestamp,g_per_kwh\n9999-01-01T00:00:00Z,100\n",
                ":2:", {"year 9999", "outside 1678 to 2261", "correct the timestamp"});
  ExpectRefused("timestamp,g_per_kwh\n2026-11-23T14:00:00Z,100\n2262-05-01T00:00:00Z,100\n",
                ":3:", {"year 2262"});
  ExpectRefused("timestamp,g_per_kwh\n1000-01-01T00:00:00Z,100\n", ":2:", {"year 1000"});
}

TEST(Iso8601Test, YearsOutsideTheClockAreNotTimestamps) {
  EXPECT_FALSE(ParseIso8601Utc("9999-12-31T23:59:59Z").has_value());
  EXPECT_FALSE(ParseIso8601Utc("1677-01-01T00:00:00Z").has_value());
  EXPECT_EQ(FormatIso8601Utc(At("2261-12-31T23:59:59Z")), "2261-12-31T23:59:59Z");
  EXPECT_EQ(FormatIso8601Utc(At("1678-01-01T00:00:00Z")), "1678-01-01T00:00:00Z");
}

TEST(IntensitySeriesTest, MissingFileIsRefused) {
  ExpectErrorContaining([] { IntensitySeries::ReadCsv("/nonexistent/intensity.csv"); },
                        {"cannot open file /nonexistent/intensity.csv", "No such file"});
}

TEST(IntensitySeriesTest, FromHourlyChecksItsValues) {
  EXPECT_THROW(IntensitySeries::FromHourly({}), std::invalid_argument);
  EXPECT_THROW(IntensitySeries::FromHourly({{k15h, 1}, {k14h, 2}}), std::invalid_argument);
  EXPECT_THROW(IntensitySeries::FromHourly({{k14h, -1}}), std::invalid_argument);
  EXPECT_THROW(IntensitySeries::FromHourly({{k14h, 5001}}), std::invalid_argument);
}

// --- Coverage of a run ---

using Span = std::pair<TimePoint, TimePoint>;

TEST(IntensitySeriesTest, UncoveredNamesTheSpansNoRowCovers) {
  // Rows over [14:00, 15:00) and [16:00, 17:00).
  const IntensitySeries series = IntensitySeries::FromHourly({{k14h, 100}, {k16h, 300}});
  EXPECT_TRUE(series.Uncovered(k14h, k15h).empty());
  EXPECT_TRUE(series.Uncovered(k16h + minutes(5), k16h + minutes(50)).empty());
  EXPECT_EQ(series.Uncovered(k14h - minutes(30), k16h + hours(2)),
            (std::vector<Span>{
                {k14h - minutes(30), k14h}, {k15h, k16h}, {k16h + hours(1), k16h + hours(2)}}));
  // Entirely after the series: the whole span.
  EXPECT_EQ(series.Uncovered(k16h + hours(5), k16h + hours(6)),
            (std::vector<Span>{{k16h + hours(5), k16h + hours(6)}}));
  // Adjacent rows leave no gap between them.
  const IntensitySeries hourly = IntensitySeries::FromHourly({{k14h, 100}, {k15h, 300}});
  EXPECT_TRUE(hourly.Uncovered(k14h + minutes(30), k16h).empty());
}

TEST(IntensitySeriesTest, UncoveredHoursAreAWarningNamingThemAndTheFigureUsed) {
  CarbonIntensity carbon;
  carbon.g_per_kwh = 475;
  carbon.source = "CodeCarbon world average";
  EXPECT_FALSE(carbon.UncoveredWarning(k14h, k15h).has_value());  // no series, nothing to say
  carbon.hourly = std::make_shared<const IntensitySeries>(
      IntensitySeries::FromHourly({{k14h, 100}, {k15h, 300}}, "intensity.csv"));
  EXPECT_FALSE(carbon.UncoveredWarning(k14h + minutes(10), k16h).has_value());
  const std::optional<std::string> warning =
      carbon.UncoveredWarning(k16h + hours(24), k16h + hours(25));
  ASSERT_TRUE(warning.has_value());
  EXPECT_NE(warning->find("has no row for 2026-11-24T16:00:00Z to 2026-11-24T17:00:00Z"),
            std::string::npos)
      << *warning;
  EXPECT_NE(warning->find("its rows cover 2026-11-23T14:00:00Z to 2026-11-23T16:00:00Z"),
            std::string::npos)
      << *warning;
  EXPECT_NE(warning->find("charged at 475 gCO2e/kWh (CodeCarbon world average)"), std::string::npos)
      << *warning;
}

// --- Integration ---

// France-like static figure 500 g/kWh; 100 g/kWh over [14:00, 15:00) and 300
// over [15:00, 16:00) when `hourly`.
CarbonIntensity Carbon(bool hourly) {
  CarbonIntensity carbon;
  carbon.g_per_kwh = 500;
  if (hourly) {
    carbon.hourly = std::make_shared<const IntensitySeries>(
        IntensitySeries::FromHourly({{k14h, 100}, {k15h, 300}}));
  }
  return carbon;
}

TEST(IntegrateCo2GramsTest, WithoutSeriesTheIntensityIsConstant) {
  // (10 + 5) Wh x 500 g/kWh = 7.5 g, wherever the intervals lie.
  EXPECT_DOUBLE_EQ(IntegrateCo2Grams({{k14h, k14h + minutes(30), 10}, {k16h, k16h + hours(5), 5}},
                                     Carbon(false)),
                   7.5);
}

TEST(IntegrateCo2GramsTest, IntervalStraddlingTwoHoursIsSplitAtTheBoundary) {
  const CarbonIntensity carbon = Carbon(true);
  // 14:30-15:30, 10 Wh: 5 Wh at 100 + 5 Wh at 300 = 0.5 + 1.5 g.
  EXPECT_DOUBLE_EQ(IntegrateCo2Grams({{k14h + minutes(30), k15h + minutes(30), 10}}, carbon), 2.0);
  // 14:50-15:20, 12 Wh: 4 Wh at 100 + 8 Wh at 300 = 0.4 + 2.4 g.
  EXPECT_NEAR(IntegrateCo2Grams({{k14h + minutes(50), k15h + minutes(20), 12}}, carbon), 2.8,
              1e-12);
}

TEST(IntegrateCo2GramsTest, OutsideTheSeriesTheStaticFigureApplies) {
  const CarbonIntensity carbon = Carbon(true);
  // 13:30-14:30, 10 Wh: 5 Wh at 500 (before the series) + 5 Wh at 100 = 2.5 + 0.5 g.
  EXPECT_DOUBLE_EQ(IntegrateCo2Grams({{k14h - minutes(30), k14h + minutes(30), 10}}, carbon), 3.0);
  // 15:30-16:30, 10 Wh: 5 Wh at 300 + 5 Wh at 500 (after it) = 1.5 + 2.5 g.
  EXPECT_DOUBLE_EQ(IntegrateCo2Grams({{k15h + minutes(30), k16h + minutes(30), 10}}, carbon), 4.0);
  // Entirely after: 2 Wh x 500.
  EXPECT_DOUBLE_EQ(IntegrateCo2Grams({{k16h + hours(1), k16h + hours(2), 2}}, carbon), 1.0);
}

TEST(IntegrateCo2GramsTest, GapInTheSeriesUsesTheStaticFigure) {
  CarbonIntensity carbon;
  carbon.g_per_kwh = 500;
  carbon.hourly = std::make_shared<const IntensitySeries>(
      IntensitySeries::FromHourly({{k14h, 100}, {k16h, 300}}));
  // 14:30-16:30, 12 Wh: 3 Wh at 100, 6 Wh at 500 (15-16), 3 Wh at 300 = 0.3 + 3 + 0.9 g.
  EXPECT_NEAR(IntegrateCo2Grams({{k14h + minutes(30), k16h + minutes(30), 12}}, carbon), 4.2,
              1e-12);
}

TEST(IntegrateCo2GramsTest, SumsIntervalsAndAgreesWithGPerKwhAt) {
  const CarbonIntensity carbon = Carbon(true);
  EXPECT_DOUBLE_EQ(carbon.GPerKwhAt(k14h + minutes(1)), 100);
  EXPECT_DOUBLE_EQ(carbon.GPerKwhAt(k15h), 300);
  EXPECT_DOUBLE_EQ(carbon.GPerKwhAt(k16h), 500);
  // 1 Wh in each hour: 0.1 + 0.3 g; a zero-length interval is charged at its start.
  EXPECT_NEAR(IntegrateCo2Grams({{k14h, k15h, 1}, {k15h, k16h, 1}, {k15h, k15h, 1}}, carbon),
              0.1 + 0.3 + 0.3, 1e-12);
  EXPECT_DOUBLE_EQ(IntegrateCo2Grams({}, carbon), 0.0);
}

TEST(IntegrateCo2GramsTest, RefusesBackwardIntervalsAndNegativeEnergy) {
  EXPECT_THROW(IntegrateCo2Grams({{k15h, k14h, 1}}, Carbon(true)), std::invalid_argument);
  EXPECT_THROW(IntegrateCo2Grams({{k14h, k15h, -1}}, Carbon(false)), std::invalid_argument);
}

TEST_F(IntensityCsvTest, FifoIsRefusedWithoutWaitingForAWriter) {
  const std::string path = PathIn("intensity.csv");
  ASSERT_EQ(::mkfifo(path.c_str(), 0600), 0);
  // An ifstream would wait here forever for a writer.
  ExpectErrorContaining([&] { IntensitySeries::ReadCsv(path); },
                        {path, "is a FIFO, not a regular file", "hourly carbon-intensity CSV"});
}

TEST_F(IntensityCsvTest, LinkToDevZeroIsRefusedWithoutReadingIt) {
  const std::string path = PathIn("intensity.csv");
  std::filesystem::create_symlink("/dev/zero", path);
  ExpectErrorContaining([&] { IntensitySeries::ReadCsv(path); },
                        {path, "is a character device, not a regular file"});
}

TEST_F(IntensityCsvTest, FileAboveTheLimitIsRefusedNamingTheLimit) {
  const std::string path = PathIn("intensity.csv");
  {
    std::ofstream out(path, std::ios::binary);
    out << "timestamp,g_per_kwh\n";
    out.seekp(detail::kMaxReferenceFileBytes);
    out.put('\n');  // sparse: one byte over the limit without writing 64 MiB
  }
  ExpectErrorContaining([&] { IntensitySeries::ReadCsv(path); }, {path, "64 MiB", "limit"});
}

}  // namespace
}  // namespace carbonbench
