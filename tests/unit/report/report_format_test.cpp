#include <gtest/gtest.h>

#include "report/render/markdown_table.h"

namespace carbonbench::report {
namespace {

TEST(ReportFormatTest, FixedNeverPrintsNegativeZero) {
  EXPECT_EQ(Fixed(1.25, 1), "1.2");  // round half to even, as printf
  EXPECT_EQ(Fixed(-0.0001, 2), "0.00");
  EXPECT_EQ(Fixed(-1.5, 1), "-1.5");
}

// One rule for every quantity: three significant digits, thousands
// separators, never an exponent, never "0.000" for a figure that is not zero.
TEST(ReportFormatTest, QuantitiesHaveThreeSignificantDigitsAndSeparators) {
  EXPECT_EQ(Significant(20622656), "20,600,000");
  EXPECT_EQ(Significant(14207574.4), "14,200,000");
  EXPECT_EQ(Significant(4585.3699), "4,590");
  EXPECT_EQ(Significant(999.6), "1,000");
  EXPECT_EQ(Significant(305.5), "306");
  EXPECT_EQ(Significant(0.0000711), "0.0000711");
  EXPECT_EQ(Significant(4.18e-05), "0.0000418");
  EXPECT_EQ(Significant(-1234567), "-1,230,000");
  EXPECT_EQ(Count(2000), "2,000");
  EXPECT_EQ(Count(-1234567), "-1,234,567");
  EXPECT_EQ(Count(12), "12");
}

TEST(ReportFormatTest, AccuracyPerEnergyReadsPerWh) {
  EXPECT_EQ(AccuracyPerWhText(4585369.9), "4,590 %/Wh");
  const Stat per_wh = ScaledStat(Summarize({2000, 4000}), 1.0 / kWhPerKwh);
  EXPECT_EQ(FormatStatSignificant(per_wh), "3.00 ± 1.41");
}

TEST(ReportFormatTest, SignedShowsTheDirectionOfAChange) {
  EXPECT_EQ(Signed(12.345, 1), "+12.3");
  EXPECT_EQ(Signed(-50, 1), "-50.0");
  EXPECT_EQ(Signed(0.0, 1), "0.0");
  EXPECT_EQ(Signed(-0.01, 1), "0.0");
}

TEST(ReportFormatTest, StatsUseTheSampleStandardDeviation) {
  const Stat stat = Summarize({98, 102});
  EXPECT_DOUBLE_EQ(stat.mean, 100);
  EXPECT_NEAR(stat.stddev, 2.8284, 1e-4);
  EXPECT_EQ(FormatStat(stat, 1), "100.0 ± 2.8");
  EXPECT_EQ(FormatStat(Summarize({7}), 2), "7.00");
  EXPECT_EQ(FormatStat(Summarize({}), 2), "—");
}

TEST(ReportFormatTest, AnEstimatedFigureCarriesItsBand) {
  EXPECT_EQ(WithBand("0.21 Wh", 0.21, 0.0735), "0.21 Wh, estimated ±35%");
  EXPECT_EQ(WithCompactBand("0.21", 0.21, 0.0735), "0.21 ±35%");
  EXPECT_EQ(BandText(2.0, 0.07), "±3.5%");
  EXPECT_EQ(BandText(10.0, 4.004), "±40%");
}

// A measured figure, or one stored before bands, prints as it always did.
TEST(ReportFormatTest, AFigureWithoutABandPrintsAsBefore) {
  EXPECT_EQ(WithBand("0.21 Wh", 0.21, 0), "0.21 Wh");
  EXPECT_EQ(WithCompactBand("0.21", 0.21, 0), "0.21");
  EXPECT_EQ(BandText(0.21, 0), "");
  EXPECT_FALSE(BandPercent(0, 0.1).has_value());  // no figure to be a share of
}

TEST(ReportFormatTest, BandsOfRunsAdd) {
  EXPECT_DOUBLE_EQ(SumOfBands({0.1, 0.3}), 0.4);
  EXPECT_DOUBLE_EQ(MeanOfBands({0.1, 0.3}), 0.2);
  EXPECT_DOUBLE_EQ(MeanOfBands({}), 0);
}

TEST(ReportFormatTest, TablesArePaddedByCharactersNotBytes) {
  MarkdownTable table({{"Name"}, {"Δ %", Align::kRight}});
  table.AddRow({"a|b", "—"});
  table.AddRow({"", "-12.5"});
  EXPECT_EQ(table.Render(),
            "| Name |   Δ % |\n"
            "| ---- | ----: |\n"
            "| a\\|b |     — |\n"
            "| —    | -12.5 |\n");
}

TEST(ReportFormatTest, RowsMustFitTheColumns) {
  MarkdownTable table({{"One"}});
  EXPECT_THROW(table.AddRow({"a", "b"}), std::logic_error);
}

}  // namespace
}  // namespace carbonbench::report
