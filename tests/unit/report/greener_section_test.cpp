// "Where would this run be greener": the same hardware energy, each place's
// PUE and intensity, checked against hand-computed grams.
#include <algorithm>

#include <gtest/gtest.h>

#include "report/render/markdown_report.h"
#include "report_test_util.h"

namespace carbonbench {
namespace {

using report_testing::RowCells;
using report_testing::SectionLines;
using Cells = std::vector<std::string>;

std::vector<RunRow> TwoCells() {
  using namespace report_testing;
  // 2.2 Wh with PUE 1.1 as run: the hardware drew 2.0 Wh; then 4.4 -> 4.0.
  RunRow small =
      Finished(1, Start("cnn/baseline", "cnn", {}, BaseSettings("cnn"), 0), 10, 2.2, 0.9);
  RunRow large = Finished(
      2, Start("resnet18/baseline", "resnet18", {}, BaseSettings("resnet18"), 0), 20, 4.4, 0.95);
  for (RunRow* run : {&small, &large}) run->start.pue = 1.1;
  return {small, large};
}

report::ReportOptions TwoRegions() {
  report::ReportOptions options;
  options.compare_regions = {{"SE", "Sweden", 40.0, 1.0, "table A"},
                             {"aws:us-east-1", "AWS us-east-1 (USA)", 400.0, 1.15, "table B"}};
  return options;
}

TEST(GreenerSection, ChargesTheHardwareEnergyAtEachPlacesPueAndIntensity) {
  const auto lines = SectionLines(report::RenderMarkdownReport("s", TwoCells(), TwoRegions()),
                                  "## Where would this run be greener");
  ASSERT_FALSE(lines.empty());
  // Here: 2.2 Wh x 0.475 g/Wh. SE: 2.0 Wh x 1.0 x 0.040 g/Wh. AWS: 2.0 x 1.15 x 0.4.
  EXPECT_EQ(RowCells(lines, "cnn/baseline"), (Cells{"cnn/baseline", "2.00", "1.04"}));
  EXPECT_EQ(RowCells(lines, "resnet18/baseline"), (Cells{"resnet18/baseline", "4.00", "2.09"}));
  // The places in a table of their own, after the energy and the CO2 here.
  const auto places = report_testing::LinesFrom(lines, " SE g |");
  EXPECT_EQ(RowCells(places, "cnn/baseline"), (Cells{"cnn/baseline", "0.0800", "0.920"}));
  EXPECT_EQ(RowCells(places, "resnet18/baseline"), (Cells{"resnet18/baseline", "0.160", "1.84"}));
  EXPECT_EQ(RowCells(lines, "aws:us-east-1"),
            (Cells{"aws:us-east-1", "AWS us-east-1 (USA)", "400.0", "1.15", "table B"}));
  bool provenance = false;
  for (const auto& line : lines) {
    provenance |= line.find("The same energy (estimated)") != std::string::npos;
  }
  EXPECT_TRUE(provenance);  // the energy says what kind it is
  // The suite: 3.135 g here, 0.240 g in Sweden.
  bool verdict = false;
  for (const auto& line : lines) {
    verdict |= line.find("Run in SE (Sweden)") != std::string::npos &&
               line.find("0.240 g instead of 3.13 g") != std::string::npos &&
               line.find("92.3% less") != std::string::npos;
  }
  EXPECT_TRUE(verdict);
}

TEST(GreenerSection, LeftOutWithoutRegionsToCompare) {
  const std::string report = report::RenderMarkdownReport("s", TwoCells());
  EXPECT_EQ(report.find("## Where would this run be greener"), std::string::npos);
}

TEST(GreenerSection, SaysSoWhenNowhereIsGreener) {
  report::ReportOptions options;
  options.compare_regions = {{"XX", "Coal land", 1000.0, 1.5, "table"}};
  const auto lines = SectionLines(report::RenderMarkdownReport("s", TwoCells(), options),
                                  "## Where would this run be greener");
  bool verdict = false;
  for (const auto& line : lines) {
    verdict |= line == "None of the compared places would have emitted less than here.";
  }
  EXPECT_TRUE(verdict);
}

}  // namespace
}  // namespace carbonbench

namespace carbonbench {
namespace {

TEST(EnvironmentCarbon, ShowsYearFallbackPueSourceHourlyFileAndIdleBaseline) {
  std::vector<RunRow> runs = TwoCells();
  for (RunRow& run : runs) {
    run.start.carbon = DecodeRecord<CarbonDetails>(
        R"({"year":2023,"fallback_path":["IN-TN","IND"],"pue_source":"carbon.pue",)"
        R"("intensity_csv":"hourly.csv"})");
    run.start.idle =
        DecodeRecord<IdleRecord>(R"({"duration_s":5.0,"watts":{"cpu":3.5,"ram":1.5},)"
                                 R"("provenance":{"cpu":"measured","ram":"estimated"}})");
  }
  runs[0].summary.idle_energy_wh = 0.5;
  runs[1].summary.idle_energy_wh = 1.0;
  const std::string report = report::RenderMarkdownReport("s", runs);
  for (const char* expected :
       {"figure for 2023", "- Fallback: IN-TN → IND", "- PUE: 1.10 (carbon.pue)",
        "- Hourly intensity: hourly.csv",
        "- Idle baseline: 5.00 W over 5.00 s before the first cell (cpu 3.50 W measured, "
        "ram 1.50 W estimated)"}) {
    EXPECT_NE(report.find(expected), std::string::npos) << expected << "\n" << report;
  }
  // The above-idle table follows its explanation in the Results section.
  std::vector<std::string> results = SectionLines(report, "## Results");
  const auto table = std::find_if(results.begin(), results.end(), [](const std::string& line) {
    return line.rfind("Energy above idle", 0) == 0;
  });
  ASSERT_NE(table, results.end());
  EXPECT_EQ(RowCells({table, results.end()}, "cnn/baseline"),
            (Cells{"cnn/baseline", "2.20", "0.500", "1.70"}));
}

}  // namespace
}  // namespace carbonbench
