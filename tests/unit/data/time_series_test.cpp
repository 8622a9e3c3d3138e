#include "data/time_series.h"

#include <sys/stat.h>

#include <cmath>
#include <filesystem>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "unit/data/data_test_util.h"

namespace carbonbench {
namespace {

namespace fs = std::filesystem;
using testing_data::ExpectErrorContaining;

class TimeSeriesCsvTest : public testing_data::TempDirTest {};

TEST_F(TimeSeriesCsvTest, ReadsDefaultColumnsKeepingMissingAsNaN) {
  const std::string path =
      Write("s.csv",
            "date,value,note\n2000-01,1.5,a\n2000-02,,b\n2000-03,NA,c\n2000-04,NaN,d\n"
            "2000-05,nan,e\n2000-06, +2e1 ,f\n2000-07,-3,g\n");
  const TimeSeries series = ReadTimeSeriesCsv(path);
  EXPECT_EQ(series.date_column, "date");
  EXPECT_EQ(series.value_column, "value");
  ASSERT_EQ(series.values.size(), 7u);
  EXPECT_EQ(series.dates.front(), "2000-01");
  EXPECT_EQ(series.dates.back(), "2000-07");
  EXPECT_DOUBLE_EQ(series.values[0], 1.5);
  for (int i = 1; i <= 4; ++i) EXPECT_TRUE(std::isnan(series.values[i])) << i;
  EXPECT_DOUBLE_EQ(series.values[5], 20.0);
  EXPECT_DOUBLE_EQ(series.values[6], -3.0);
  EXPECT_EQ(series.missing_count, 4);
}

TEST_F(TimeSeriesCsvTest, PicksColumnsByName) {
  const std::string path = Write("s.csv", "load,\"When\",temp\n10,d1,1\n20,d2,2\n");
  const TimeSeries series = ReadTimeSeriesCsv(path, "when", "LOAD");
  EXPECT_EQ(series.date_column, "When");
  EXPECT_EQ(series.dates, (std::vector<std::string>{"d1", "d2"}));
  EXPECT_EQ(series.values, (std::vector<double>{10, 20}));
}

TEST_F(TimeSeriesCsvTest, NonNumericValueNamesFileAndLine) {
  const std::string path = Write("s.csv", "date,v\nd1,1\nd2,12abc\n");
  ExpectErrorContaining([&] { ReadTimeSeriesCsv(path); },
                        {path + ":3", "value '12abc' in column v is not a finite number"});
  const std::string inf = Write("inf.csv", "date,v\nd1,inf\n");
  ExpectErrorContaining([&] { ReadTimeSeriesCsv(inf); }, {inf + ":2", "'inf'"});
}

TEST_F(TimeSeriesCsvTest, UnknownColumnSuggestsOne) {
  const std::string path = Write("s.csv", "date,co2\nd1,1\n");
  ExpectErrorContaining(
      [&] { ReadTimeSeriesCsv(path, "", "c02"); },
      {path + ":1", "no value column 'c02'", "did you mean 'co2'", "the header has: date, co2"});
}

TEST_F(TimeSeriesCsvTest, StructuralErrorsNameTheLine) {
  const std::string fields = Write("f.csv", "date,v\nd1,1\nd2,2,3\n");
  ExpectErrorContaining([&] { ReadTimeSeriesCsv(fields); },
                        {fields + ":3", "row has 3 fields, the header 2"});
  const std::string one_column = Write("one.csv", "date\nd1\n");
  ExpectErrorContaining([&] { ReadTimeSeriesCsv(one_column); },
                        {one_column + ":1", "need a date and a value column"});
  const std::string no_date = Write("nodate.csv", "date,v\nd1,1\n,2\n");
  ExpectErrorContaining([&] { ReadTimeSeriesCsv(no_date); }, {no_date + ":3", "date", "empty"});
  const std::string quote = Write("q.csv", "date,v\n\"d1,1\n");
  ExpectErrorContaining([&] { ReadTimeSeriesCsv(quote); },
                        {quote + ":2", "unterminated quoted field"});
  const std::string missing = Path("absent.csv");
  ExpectErrorContaining([&] { ReadTimeSeriesCsv(missing); }, {"cannot open", missing});
}

TEST_F(TimeSeriesCsvTest, UnsortedDatesNameTheFileAndBothLines) {
  const std::string path = Write("s.csv", "date,v\n2020-01-01,1\n2020-01-03,2\n2020-01-02,3\n");
  ExpectErrorContaining(
      [&] { ReadTimeSeriesCsv(path); },
      {path + ":4", "'2020-01-02'", "not after '2020-01-03' on line 3", "chronological order"});
  // Dates as numbers (statsmodels' co2.csv writes 19580329) compare as numbers.
  const std::string numeric = Write("n.csv", "date,v\n19580329,1\n9580405,2\n");
  ExpectErrorContaining([&] { ReadTimeSeriesCsv(numeric); },
                        {numeric + ":3", "not after '19580329' on line 2"});
}

TEST_F(TimeSeriesCsvTest, RepeatedDateIsRefused) {
  const std::string path =
      Write("s.csv", "date,v\n2020-01-01 10:00,1\n2020-01-01T10:00,2\n2020-01-02,3\n");
  ExpectErrorContaining([&] { ReadTimeSeriesCsv(path); },
                        {path + ":3", "repeats", "line 2", "each date once"});
}

TEST_F(TimeSeriesCsvTest, SortedDatesOfEachKnownFormatAreAccepted) {
  const std::string path = Write(
      "s.csv", "date,v\n1999-12,1\n2000-01-01,2\n2000-01-01 00:30,3\n2000-01-01T01:00:00Z,4\n");
  EXPECT_EQ(ReadTimeSeriesCsv(path).values.size(), 4u);
  // Labels that are not dates are kept in file order, unchecked.
  const std::string labels = Write("l.csv", "date,v\nweek b,1\nweek a,2\n");
  EXPECT_EQ(ReadTimeSeriesCsv(labels).values.size(), 2u);
}

TEST_F(TimeSeriesCsvTest, ValuesWhoseSquareOverflowsAreRefused) {
  const std::string path = Write("s.csv", "date,v\n1,1\n2,-1e308\n3,2\n");
  ExpectErrorContaining([&] { ReadTimeSeriesCsv(path); },
                        {path + ":3", "-1e308", "too large", "1e+150"});
  const std::string big = Write("b.csv", "date,v\n1,1e151\n");
  ExpectErrorContaining([&] { ReadTimeSeriesCsv(big); }, {big + ":2", "too large"});
  const std::string fine = Write("f.csv", "date,v\n1,1e150\n2,-1e150\n");
  EXPECT_EQ(ReadTimeSeriesCsv(fine).values.size(), 2u);
}

TEST_F(TimeSeriesCsvTest, ValueOutOfDoubleRangeIsNotFinite) {
  const std::string path = Write("s.csv", "date,v\n1,1e400\n");
  ExpectErrorContaining([&] { ReadTimeSeriesCsv(path); },
                        {path + ":2", "'1e400'", "not a finite number"});
}

TEST_F(TimeSeriesCsvTest, AllMissingValuesNameTheFile) {
  const std::string path = Write("s.csv", "date,v\n1,NaN\n2,\n3,NA\n");
  ExpectErrorContaining([&] { ReadTimeSeriesCsv(path); },
                        {path, "all 3 values in column v are missing"});
}

TEST_F(TimeSeriesCsvTest, RefusesADeviceOrAFifoInsteadOfReadingIt) {
  ExpectErrorContaining([] { ReadTimeSeriesCsv("/dev/zero"); },
                        {"/dev/zero", "is a character device, not a regular file"});
  const std::string fifo = Path("fifo.csv");
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  ExpectErrorContaining([&] { ReadTimeSeriesCsv(fifo); }, {fifo, "is a FIFO"});
}

TEST_F(TimeSeriesCsvTest, RefusesAFileOverTheSizeLimit) {
  const std::string path = Write("huge.csv", "date,v\n");
  fs::resize_file(path, 300ll << 20);  // sparse: nothing is written
  ExpectErrorContaining([&] { ReadTimeSeriesCsv(path); }, {path, "the limit is 256 MiB"});
}

TEST(FillMissingTest, InterpolatesInsideAndExtendsAtTheEnds) {
  const double nan = std::nan("");
  std::vector<double> values = {nan, nan, 1.0, nan, nan, nan, 5.0, 6.0, nan};
  const FillReport report = FillMissing(values);
  EXPECT_EQ(report.filled, 6);
  EXPECT_EQ(report.longest_gap, 3);
  EXPECT_EQ(values, (std::vector<double>{1, 1, 1, 2, 3, 4, 5, 6, 6}));
}

TEST(FillMissingTest, NothingMissingIsANoOpAndAllMissingThrows) {
  std::vector<double> values = {1, 2};
  const FillReport report = FillMissing(values);
  EXPECT_EQ(report.filled, 0);
  EXPECT_EQ(report.longest_gap, 0);
  std::vector<double> all_missing = {std::nan(""), std::nan("")};
  ExpectErrorContaining([&] { FillMissing(all_missing); }, {"all 2 values are missing"});
}

TEST(WindowsTest, MakesSlidingWindowsWithHorizon) {
  std::vector<double> values;
  for (int i = 0; i < 10; ++i) values.push_back(i);
  const Windows windows = MakeWindows(values, /*window=*/3, /*horizon=*/2);
  ASSERT_EQ(windows.count, 6);
  ASSERT_EQ(windows.inputs.size(), 18u);
  ASSERT_EQ(windows.targets.size(), 6u);
  for (int t = 0; t < 6; ++t) {
    for (int k = 0; k < 3; ++k) EXPECT_EQ(windows.inputs[t * 3 + k], t + k);
    EXPECT_EQ(windows.targets[t], t + 3 + 2 - 1);
  }
}

TEST(WindowsTest, RejectsTooShortSeriesBadSizesAndNaN) {
  const std::vector<double> values = {1, 2, 3, 4};
  ExpectErrorContaining([&] { MakeWindows(values, 3, 2); },
                        {"has 4 values", "window 3 + horizon 2 needs at least 5"});
  ExpectErrorContaining([&] { MakeWindows(values, 2, 0); }, {"horizon (0)", "at least 1"});
  ExpectErrorContaining(
      [&] {
        MakeWindows({1, std::nan(""), 3}, 1, 1);
      },
      {"value 1 is missing", "FillMissing"});
}

TEST(WindowsTest, ChronologicalSplitKeepsTrainTargetsBeforeTheTestPeriod) {
  std::vector<double> values;
  for (int i = 0; i < 20; ++i) values.push_back(i);   // value == its index
  const Windows windows = MakeWindows(values, 4, 3);  // 14 windows
  const WindowSplit split = SplitWindowsChronologically(windows, 0.25);
  EXPECT_EQ(split.train.count, 11);  // round(0.75 * 14) = 10.5 -> 11
  EXPECT_EQ(split.test.count, 3);
  EXPECT_EQ(split.test_start_index, 11 + 4 + 3 - 1);
  for (double target : split.train.targets) EXPECT_LT(target, split.test_start_index);
  for (double input : split.train.inputs) EXPECT_LT(input, split.test_start_index);
  for (double target : split.test.targets) EXPECT_GE(target, split.test_start_index);
  EXPECT_EQ(split.test.first_index, 11);
  EXPECT_EQ(split.test.inputs.front(), 11);  // reaches back into the train period
  EXPECT_EQ(split.test.targets.back(), 19);
}

TEST(WindowsTest, SplitRejectsBadFractionsAndEmptySides) {
  const Windows windows = MakeWindows({1, 2, 3, 4}, 1, 1);  // 3 windows
  ExpectErrorContaining([&] { SplitWindowsChronologically(windows, 1.0); },
                        {"test_fraction must be between 0 and 1"});
  ExpectErrorContaining([&] { SplitWindowsChronologically(windows, 0.01); },
                        {"3 windows", "leave 3 for training and 0 for test"});
}

TEST(TimeSeriesRealDataTest, ReadsStatsmodelsCo2) {
  const std::string path = "/usr/lib/python3/dist-packages/statsmodels/datasets/co2/co2.csv";
  if (!fs::exists(path)) GTEST_SKIP() << path << " not installed";
  TimeSeries series = ReadTimeSeriesCsv(path);
  EXPECT_EQ(series.date_column, "date");
  EXPECT_EQ(series.value_column, "co2");
  EXPECT_EQ(series.values.size(), 2284u);
  EXPECT_EQ(series.missing_count, 59);
  EXPECT_EQ(series.dates.front(), "19580329");
  EXPECT_DOUBLE_EQ(series.values.front(), 316.1);
  const FillReport report = FillMissing(series.values);
  EXPECT_EQ(report.filled, 59);
  EXPECT_GE(report.longest_gap, 1);
  for (double value : series.values) {
    ASSERT_FALSE(std::isnan(value));
    // Mauna Loa weekly CO2, 1958-2001: all within this range (ppm).
    EXPECT_GT(value, 300.0);
    EXPECT_LT(value, 400.0);
  }
  const Windows windows = MakeWindows(series.values, 52, 1);
  EXPECT_EQ(windows.count, 2284 - 52);
  const WindowSplit split = SplitWindowsChronologically(windows, 0.2);
  EXPECT_EQ(split.train.count + split.test.count, windows.count);
}

}  // namespace
}  // namespace carbonbench
