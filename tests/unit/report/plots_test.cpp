// Plots drawn by gnuplot: each figure as a non-empty SVG and PNG; a missing
// gnuplot is a note in the report, never a failure.
#include "report/export/plots.h"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "report/render/markdown_report.h"
#include "unit/report/report_test_util.h"
#include "unit/store/store_test_util.h"

namespace carbonbench::report {
namespace {

namespace fs = std::filesystem;

using PlotsTest = store_testing::TempDirTest;

std::string Read(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST_F(PlotsTest, DrawsEveryFigureAsSvgAndPng) {
  std::vector<RunRow> runs = report_testing::MixedRuns();
  // Odd characters in a cell name reach gnuplot's strings and data files.
  runs[0].start.cell_name = "cnn/it's \"quoted\"";
  runs[0].summary.phases = {{"train", "cpu", 8.0, "estimated", "cpu_estimate", 3.8},
                            {"eval", "cpu", 2.0, "estimated", "cpu_estimate", 0.95}};
  const PlotsOutcome outcome = DrawPlots("mixed_quick", runs, dir_.string());
  EXPECT_EQ(outcome.note, "") << Read(dir_ / "mixed_quick.plots" / "gnuplot.log");
  // Accuracy and RMSE against energy (two datasets), a curve per model
  // (cnn, linear, cnn1d) and the energy breakdown.
  ASSERT_EQ(outcome.plots.size(), 6u);
  for (const report::PlotLink& plot : outcome.plots) {
    const std::string svg = Read(dir_ / plot.svg_path);
    EXPECT_NE(svg.find("<svg"), std::string::npos) << plot.svg_path;
    const std::string png = Read(dir_ / plot.png_path);
    ASSERT_GT(png.size(), 1000u) << plot.png_path;
    EXPECT_EQ(png.substr(1, 3), "PNG") << plot.png_path;
  }
  EXPECT_EQ(outcome.plots[0].svg_path, "mixed_quick.plots/quality_vs_energy_1_mnist.svg");
  EXPECT_NE(Read(dir_ / outcome.plots[0].svg_path).find("Pareto front"), std::string::npos);
  // The energy axis says how the figures were obtained.
  EXPECT_NE(Read(dir_ / outcome.plots[0].svg_path).find("energy per run (Wh, estimated)"),
            std::string::npos);
}

// The lines of the script that start with `prefix`.
std::vector<std::string> LinesStartingWith(const std::string& text, const std::string& prefix) {
  std::istringstream in(text);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) {
    if (line.rfind(prefix, 0) == 0) lines.push_back(line);
  }
  return lines;
}

TEST_F(PlotsTest, EveryLegendSitsOutsideTheDataArea) {
  const PlotsOutcome outcome = DrawPlots("mixed_quick", report_testing::MixedRuns(), dir_.string());
  ASSERT_EQ(outcome.note, "");
  const std::string script = Read(dir_ / "mixed_quick.plots" / "plots.gp");
  const std::vector<std::string> keys = LinesStartingWith(script, "set key");
  ASSERT_FALSE(keys.empty());
  for (const std::string& key : keys) {
    EXPECT_TRUE(key.rfind("set key outside", 0) == 0 || key == "set key off") << key;
  }
}

TEST_F(PlotsTest, PointsAreNumberedAndTheLegendNamesEachNumber) {
  const PlotsOutcome outcome = DrawPlots("mixed_quick", report_testing::MixedRuns(), dir_.string());
  ASSERT_EQ(outcome.note, "");
  const std::string script = Read(dir_ / "mixed_quick.plots" / "plots.gp");
  // The CO2 figure: four cells, each a numbered point named in the legend.
  for (const char* entry : {"title '1  cnn1d/baseline'", "title '2  cnn1d/early_stop'",
                            "title '3  linear/baseline'", "title '4  linear/mixed_precision'"}) {
    EXPECT_NE(script.find(entry), std::string::npos) << entry;
  }
  EXPECT_NE(script.find("set label 4 '4' at first "), std::string::npos) << script;
  // No label carries a cell's name any more: names live in the legend.
  EXPECT_EQ(script.find("with labels"), std::string::npos);
}

TEST_F(PlotsTest, EpochAxesTickAtWholeEpochs) {
  const PlotsOutcome outcome = DrawPlots("mixed_quick", report_testing::MixedRuns(), dir_.string());
  ASSERT_EQ(outcome.note, "");
  const std::string script = Read(dir_ / "mixed_quick.plots" / "plots.gp");
  // Two-epoch curves: ticks at 1 and 2, printed without decimals.
  EXPECT_NE(script.find("set xrange [0.75:2.25]\nset xtics 1\nset format x \"%.0f\"\n"),
            std::string::npos)
      << script;
  EXPECT_NE(script.find("set xlabel 'epoch'"), std::string::npos);
}

TEST_F(PlotsTest, OverlappingCurvesDifferInDashWidthAndMarker) {
  const PlotsOutcome outcome = DrawPlots("mixed_quick", report_testing::MixedRuns(), dir_.string());
  ASSERT_EQ(outcome.note, "");
  const std::string script = Read(dir_ / "mixed_quick.plots" / "plots.gp");
  // cnn1d/baseline and cnn1d/early_stop share their first epoch.
  EXPECT_NE(script.find("index 0 using 1:2 with linespoints lc rgb '#0077bb' dt 1 lw 2.3 pt 7 ps "
                        "1.2 title 'cnn1d/baseline'"),
            std::string::npos)
      << script;
  EXPECT_NE(script.find("index 1 using 1:2 with linespoints lc rgb '#ee7733' dt 2 lw 1.5 pt 5 "
                        "ps 0.9 title 'cnn1d/early_stop'"),
            std::string::npos)
      << script;
}

TEST_F(PlotsTest, ADatasetWithOneCellGetsNoScatterAndTheReportSaysNothingOfIt) {
  std::vector<RunRow> runs = report_testing::MixedRuns();
  // mnist keeps cnn/baseline alone.
  runs.erase(runs.begin() + 1);
  const PlotsOutcome outcome = DrawPlots("mixed_quick", runs, dir_.string());
  EXPECT_EQ(outcome.note, "");
  for (const report::PlotLink& plot : outcome.plots) {
    EXPECT_EQ(plot.svg_path.find("mnist"), std::string::npos) << plot.svg_path;
  }
  // The CO2 scatter and three curves figures (these runs record no phases).
  ASSERT_EQ(outcome.plots.size(), 4u);
  EXPECT_EQ(outcome.plots[0].svg_path, "mixed_quick.plots/quality_vs_energy_1_mauna_loa_co2.svg");
  report::ReportOptions options;
  options.plots = outcome.plots;
  options.plots_note = outcome.note;
  const std::string report = report::RenderMarkdownReport("mixed_quick", runs, options);
  const std::vector<std::string> section = report_testing::SectionLines(report, "## Plots");
  for (const std::string& line : section) {
    EXPECT_EQ(line.find("mnist"), std::string::npos) << line;
    EXPECT_EQ(line.find("not drawn"), std::string::npos) << line;
  }
}

TEST_F(PlotsTest, AModelWhoseCellsRanOneEpochGetsNoCurves) {
  std::vector<RunRow> runs = report_testing::MixedRuns();
  for (RunRow& run : runs) {
    if (run.start.model == "linear") run.epochs.resize(1);
  }
  const PlotsOutcome outcome = DrawPlots("mixed_quick", runs, dir_.string());
  EXPECT_EQ(outcome.note, "");
  for (const report::PlotLink& plot : outcome.plots) {
    EXPECT_EQ(plot.svg_path.find("curves_linear"), std::string::npos) << plot.svg_path;
  }
  // Two scatters and the cnn and cnn1d curves.
  EXPECT_EQ(outcome.plots.size(), 4u);
}

TEST_F(PlotsTest, AReportsFolderGivenRelativeToTheWorkingDirectoryWorksToo) {
  const fs::path before = fs::current_path();
  fs::current_path(dir_);
  const PlotsOutcome outcome = DrawPlots("mnist_quick", report_testing::SampleRuns(), "reports");
  fs::current_path(before);
  EXPECT_EQ(outcome.note, "");
  EXPECT_FALSE(outcome.plots.empty());
  EXPECT_TRUE(fs::exists(dir_ / "reports" / outcome.plots.front().svg_path));
}

TEST_F(PlotsTest, AMissingGnuplotIsANoteThatSaysHowToGetIt) {
  const PlotsOutcome outcome =
      DrawPlots("mnist_quick", report_testing::SampleRuns(), dir_.string(), "/nonexistent/gnuplot");
  EXPECT_TRUE(outcome.plots.empty());
  EXPECT_EQ(outcome.note,
            "plots not drawn: could not run /nonexistent/gnuplot (No such file or directory); "
            "install it with `apt-get install gnuplot-nox`, then run `carbonbench report SUITE` "
            "again");
  report::ReportOptions options;
  options.plots_note = outcome.note;
  const std::string report =
      report::RenderMarkdownReport("mnist_quick", report_testing::SampleRuns(), options);
  EXPECT_NE(report.find("## Plots"), std::string::npos);
  EXPECT_NE(report.find("gnuplot-nox"), std::string::npos);
}

TEST_F(PlotsTest, AMissingGnuplotGivenByNameIsANoteThatNamesItAndTheError) {
  const PlotsOutcome outcome = DrawPlots("mnist_quick", report_testing::SampleRuns(), dir_.string(),
                                         "carbonbench-no-such-gnuplot");
  EXPECT_TRUE(outcome.plots.empty());
  EXPECT_EQ(outcome.note,
            "plots not drawn: could not run carbonbench-no-such-gnuplot (No such file or "
            "directory); install it with `apt-get install gnuplot-nox`, then run `carbonbench "
            "report SUITE` again");
}

// A stand-in for gnuplot: a shell script in the test's folder.
fs::path FakeGnuplot(const fs::path& dir, const std::string& body) {
  const fs::path path = dir / "fake-gnuplot";
  std::ofstream(path) << "#!/bin/sh\n" << body << "\n";
  fs::permissions(path, fs::perms::owner_all);
  return path;
}

TEST_F(PlotsTest, AFailingGnuplotIsANoteAndItsOutputIsInTheLog) {
  const fs::path gnuplot = FakeGnuplot(dir_, "echo said; echo complained >&2; exit 3");
  const PlotsOutcome outcome =
      DrawPlots("mnist_quick", report_testing::SampleRuns(), dir_.string(), gnuplot.string());
  const fs::path log = dir_ / "mnist_quick.plots" / "gnuplot.log";
  EXPECT_EQ(outcome.note, "some plots may be missing: " + gnuplot.string() + " failed (see " +
                              log.string() + ")");
  EXPECT_EQ(Read(log), "said\ncomplained\n");
}

TEST_F(PlotsTest, AGnuplotThatExitsWith127IsTakenAsNotFound) {
  const fs::path gnuplot = FakeGnuplot(dir_, "exit 127");
  const PlotsOutcome outcome =
      DrawPlots("mnist_quick", report_testing::SampleRuns(), dir_.string(), gnuplot.string());
  EXPECT_EQ(outcome.note, "plots not drawn: " + gnuplot.string() +
                              " was not found; install it with `apt-get install gnuplot-nox`, "
                              "then run `carbonbench report SUITE` again");
}

TEST_F(PlotsTest, AGnuplotThatDrawsNothingNamesTheMissingFigures) {
  const fs::path gnuplot = FakeGnuplot(dir_, "exit 0");
  const PlotsOutcome outcome =
      DrawPlots("mnist_quick", report_testing::SampleRuns(), dir_.string(), gnuplot.string());
  EXPECT_TRUE(outcome.plots.empty());
  EXPECT_EQ(outcome.note.rfind("not drawn: quality_vs_energy_1_", 0), 0u) << outcome.note;
}

TEST(GnuplotQuoted, DoublesSingleQuotes) {
  EXPECT_EQ(GnuplotQuoted("it's"), "'it''s'");
  EXPECT_EQ(GnuplotQuoted("a\nb"), "'a b'");
}

}  // namespace
}  // namespace carbonbench::report
