// Error bands and measurement records in the report and the exports: every
// estimated figure carries its band, the report says what an estimate's
// differences mean and what a counter covers, and each run's measurement
// record is shown, old runs saying they have none.
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "report/export/exports.h"
#include "report/render/markdown_report.h"
#include "unit/report/report_test_util.h"

namespace carbonbench {
namespace {

using report_testing::Lines;
using report_testing::RowCells;
using report_testing::SectionLines;

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// Every figure of the runs estimated ±`relative`, as the runner stores them.
std::vector<RunRow> WithBands(std::vector<RunRow> runs, double relative) {
  for (RunRow& run : runs) {
    run.summary.energy_band_wh = run.summary.energy_wh * relative;
    for (EpochRecord& epoch : run.epochs) epoch.energy_band_wh = epoch.energy_wh * relative;
    for (PhaseEnergy& phase : run.summary.phases) phase.band_wh = phase.energy_wh * relative;
  }
  return runs;
}

ComponentMeasurement Component(const std::string& component, const std::string& meter,
                               const std::string& provenance) {
  ComponentMeasurement measurement;
  measurement.component = component;
  if (!meter.empty()) measurement.meter = meter;
  measurement.provenance = provenance;
  return measurement;
}

// As a run on this machine records it: CPU estimated from a validated curve,
// RAM estimated, GPU not covered; sampled every 1000 ms.
MeasurementRecord EstimatedRecord() {
  MeasurementRecord record;
  ComponentMeasurement cpu = Component("cpu", "cpu_estimate", "estimated");
  cpu.method = "CPU package power from a curve of load.";
  cpu.scope = "process";
  cpu.band_relative = 0.35;
  cpu.band_basis = "leave-one-machine-out validation on 6 machines";
  ComponentMeasurement ram = Component("ram", "ram_estimate", "estimated");
  ram.scope = "process";
  ram.band_relative = 0.5;
  ram.band_basis = "published DIMM measurements";
  record.components = {cpu, ram, Component("gpu", "", "not covered")};
  record.interval_target_ms = 1000;
  record.interval_mean_ms = 1004.2;
  record.interval_max_gap_ms = 1350;
  record.samples = 98;
  record.outside_load_mean = 0.02;
  record.outside_load_max = 0.1;
  record.process_load_mean = 0.9;
  return record;
}

std::string Report(const std::vector<RunRow>& runs) {
  return report::RenderMarkdownReport("mnist_quick", runs, report_testing::BuiltInOptions());
}

TEST(BandsInTheReport, EstimatedFiguresCarryTheirBand) {
  const std::string report = Report(WithBands(report_testing::SampleRuns(), 0.35));
  // The suite's total: 9.5 + 10.5 + 6 + 2 + 3 Wh, bands added; with the
  // meters behind it under Measurement.
  EXPECT_TRUE(Contains(report, "in 300 s: 31.0 Wh and 14.7 g CO2, both estimated ±35%.\n"))
      << report;
  EXPECT_TRUE(Contains(report, "31.0 Wh, estimated ±35% (estimated: cpu_estimate")) << report;
  const auto results = SectionLines(report, "## Results");
  const auto header = RowCells(results, "Cell");
  ASSERT_FALSE(header.empty());
  EXPECT_NE(std::find(header.begin(), header.end(), "Band"), header.end());
  const auto baseline = RowCells(results, "cnn/baseline");
  EXPECT_NE(std::find(baseline.begin(), baseline.end(), "±35%"), baseline.end());
  const auto board = SectionLines(report, "## Leaderboard");
  const auto ranked = RowCells(board, "1");
  EXPECT_NE(std::find(ranked.begin(), ranked.end(), "±35%"), ranked.end());
  // The failed run's own figure, in a table of runs.
  EXPECT_EQ(RowCells(results, "cnn/early_stop").at(4), "3.00 ±35%");
}

TEST(BandsInTheReport, SaysWhatAnEstimatesDifferencesMean) {
  const std::string banded = Report(WithBands(report_testing::SampleRuns(), 0.35));
  EXPECT_TRUE(Contains(banded,
                       "Estimated energy follows each cell's running time and CPU load only, so "
                       "differences between cells on one machine reflect those two; the ± band "
                       "is the estimator's validated error and shifts every cell alike."))
      << banded;
  // Stored before bands: the statement holds, without a band to speak of,
  // and no table grows a band column.
  const std::string old = Report(report_testing::SampleRuns());
  EXPECT_TRUE(Contains(old, "reflect those two.\n")) << old;
  EXPECT_FALSE(Contains(old, "± band"));
  EXPECT_FALSE(Contains(old, "| Band"));
}

TEST(BandsInTheReport, MeasuredFiguresSayWhatTheirCounterCovers) {
  auto runs = report_testing::SampleRuns();
  for (RunRow& run : runs) {
    run.summary.energy_provenance = "measured";
    ComponentMeasurement cpu = Component("cpu", "rapl", "measured");
    cpu.method = "CPU package counter.";
    cpu.scope = "machine";
    run.summary.measurement.components = {cpu};
  }
  const std::string report = Report(runs);
  EXPECT_TRUE(Contains(report, "Measured: cpu by rapl (CPU package counter), whole machine.\n"))
      << report;
  EXPECT_FALSE(Contains(report, "Estimated energy follows"));
}

// cnn/mixed_precision saves 40% of CO2 against cnn/baseline: a saving
// larger than a ±35% band is claimed, one within a ±50% band is not.
TEST(BandsInTheReport, ASavingWithinTheBandIsNotClaimedAsMeasured) {
  const std::string narrow = Report(WithBands(report_testing::SampleRuns(), 0.35));
  EXPECT_FALSE(Contains(narrow, "within the estimates'")) << narrow;
  const std::string wide = Report(WithBands(report_testing::SampleRuns(), 0.5));
  EXPECT_TRUE(Contains(wide,
                       "(within the estimates' ±50% band: a difference in time and CPU load, "
                       "not a measured one)"))
      << wide;
  EXPECT_TRUE(Contains(wide,
                       ", estimated ±50%; the saving is within that band: a difference in "
                       "time and CPU load, not a measured one)"))
      << wide;
  EXPECT_FALSE(Contains(narrow, "the saving is within that band"));
}

TEST(BandsInTheReport, InferenceAndRegionsCarryTheBand) {
  auto runs = WithBands(report_testing::SampleRuns(), 0.35);
  InferenceRecord inference;
  inference.batch_size = 8;
  inference.predictions = 1000;
  inference.energy_wh = 0.2;
  inference.energy_wh_per_1000 = 0.2;
  inference.energy_band_wh = 0.07;
  inference.energy_provenance = "estimated";
  runs[0].summary.inference = {inference};
  report::ReportOptions options = report_testing::BuiltInOptions();
  options.compare_regions = {{"SE", "Sweden", 40.0, 1.0, "table A"}};
  const std::string report = report::RenderMarkdownReport("mnist_quick", runs, options);
  // The energy table, after the speed table: 0.2 Wh per 1,000 is 200 mWh.
  const auto served =
      RowCells(report_testing::LinesFrom(SectionLines(report, "## Inference"), " mWh per 1,000 |"),
               "cnn/baseline");
  EXPECT_NE(std::find(served.begin(), served.end(), "200 ±35%"), served.end());
  const auto regions = SectionLines(report, "## Where would this run be greener");
  EXPECT_EQ(RowCells(regions, "cnn/mixed_precision"),
            (std::vector<std::string>{"cnn/mixed_precision", "6.00", "±35%", "2.85"}));
  EXPECT_EQ(RowCells(report_testing::LinesFrom(regions, " SE g |"), "cnn/mixed_precision"),
            (std::vector<std::string>{"cnn/mixed_precision", "0.240"}));
  EXPECT_TRUE(Contains(report, "both are estimated ±35%, an error that shifts them alike"));
}

TEST(MeasurementSection, ShowsEachComponentTheSamplingAndTheOutsideLoad) {
  auto runs = report_testing::SampleRuns();
  for (RunRow& run : runs) run.summary.measurement = EstimatedRecord();
  runs[1].summary.measurement.outside_load_mean = 0.45;
  runs[1].summary.measurement.outside_load_max = 0.8;
  runs[1].summary.measurement.outside_load_warning =
      "other programs kept 45% of the CPU busy: figures apportioned by CPU time are inflated";
  const auto lines = SectionLines(Report(runs), "## Measurement");
  ASSERT_FALSE(lines.empty());
  // One setup for every run: one table of components.
  EXPECT_EQ(
      RowCells(lines, "cpu"),
      (std::vector<std::string>{"cpu", "cpu_estimate", "estimated",
                                "CPU package power from a curve of load.", "this run's process",
                                "±35%: leave-one-machine-out validation on 6 machines", "—"}));
  EXPECT_EQ(RowCells(lines, "gpu"),
            (std::vector<std::string>{"gpu", "—", "not covered", "—", "—", "—", "—"}));
  int component_tables = 0;
  for (const std::string& line : lines) component_tables += line.rfind("| Component", 0) == 0;
  EXPECT_EQ(component_tables, 1);
  EXPECT_EQ(RowCells(lines, "cnn/baseline rep 2"),
            (std::vector<std::string>{"cnn/baseline rep 2", "1000", "1004", "1350", "98", "45%",
                                      "80%", "90%"}));
  EXPECT_NE(std::find(lines.begin(), lines.end(),
                      "**Warning** (cnn/baseline rep 2): other programs kept 45% of the CPU busy: "
                      "figures apportioned by CPU time are inflated"),
            lines.end());
}

TEST(MeasurementSection, RunsStoredBeforeRecordsSaySo) {
  const auto old = SectionLines(Report(report_testing::SampleRuns()), "## Measurement");
  EXPECT_NE(std::find(old.begin(), old.end(), "Not recorded (stored before measurement records)."),
            old.end());
  // Some runs with a record, one without: that one is named.
  auto runs = report_testing::SampleRuns();
  for (std::size_t i = 1; i < runs.size(); ++i) runs[i].summary.measurement = EstimatedRecord();
  const auto mixed = SectionLines(Report(runs), "## Measurement");
  EXPECT_NE(std::find(mixed.begin(), mixed.end(),
                      "Not recorded (stored before measurement records): cnn/baseline rep 1."),
            mixed.end());
}

TEST(BandsInTheExports, CsvAndJsonCarryTheBand) {
  const auto runs = WithBands(report_testing::SampleRuns(), 0.5);
  const auto run_lines = Lines(report::RunsCsv(runs));
  EXPECT_TRUE(run_lines[0].size() >= 15 &&
              run_lines[0].compare(run_lines[0].size() - 15, 15, ",energy_band_wh") == 0)
      << run_lines[0];
  EXPECT_TRUE(run_lines[1].size() >= 6 &&
              run_lines[1].compare(run_lines[1].size() - 5, 5, ",4.75") == 0)
      << run_lines[1];
  const auto epoch_lines = Lines(report::EpochsCsv(runs));
  EXPECT_TRUE(Contains(epoch_lines[0], ",energy_provenance,energy_band_wh")) << epoch_lines[0];
  EXPECT_TRUE(Contains(epoch_lines[1], ",estimated,1.9")) << epoch_lines[1];  // 40% of 9.5 Wh
  const auto board = Lines(report::LeaderboardCsv(runs, report_testing::BuiltInOptions()));
  EXPECT_TRUE(Contains(board[0], ",energy_band_wh_mean,energy_band_wh_to_target_mean"));

  auto with_phase = runs;
  PhaseEnergy phase;
  phase.phase = "train";
  phase.component = "cpu";
  phase.energy_wh = 2;
  phase.band_wh = 0.7;
  with_phase[0].summary.phases = {phase};
  with_phase[0].summary.measurement = EstimatedRecord();
  const auto json = nlohmann::json::parse(report::RunsJson("mnist_quick", with_phase));
  const auto& first = json["runs"][0];
  EXPECT_DOUBLE_EQ(first["energy_band_wh"].get<double>(), 4.75);
  EXPECT_DOUBLE_EQ(first["phases"][0]["band_wh"].get<double>(), 0.7);
  EXPECT_DOUBLE_EQ(first["epochs"][0]["energy_band_wh"].get<double>(), 1.9);
  EXPECT_EQ(first["measurement"]["components"][2]["provenance"], "not covered");
  EXPECT_DOUBLE_EQ(first["measurement"]["outside_load_max"].get<double>(), 0.1);
  EXPECT_TRUE(json["runs"][1]["measurement"]["samples"].is_null());
}

}  // namespace
}  // namespace carbonbench
