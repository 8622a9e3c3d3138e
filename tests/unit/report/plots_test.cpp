// Plots drawn by gnuplot: each figure as a non-empty SVG and PNG; a missing
// gnuplot is a note in the report, never a failure.
#include "report/export/plots.h"

#include <filesystem>
#include <fstream>
#include <sstream>

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
