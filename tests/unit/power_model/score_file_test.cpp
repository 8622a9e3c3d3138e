#include "power_model/score_file.h"

#include <stdexcept>
#include <string>

#include <gtest/gtest.h>

#include "temp_dir_test.h"

namespace carbonbench::power_model {
namespace {

const std::string kHeader = "cpu_model,sockets,logical_cpus,load,measured_w\n";

// The message ParseScoreCsv throws for `text`, or "" when it parses.
std::string ErrorOf(const std::string& text) {
  try {
    ParseScoreCsv(text, "meas.csv");
  } catch (const std::runtime_error& error) {
    return error.what();
  }
  return "";
}

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST(ScoreCsvTest, ColumnsInAnyOrderOthersIgnored) {
  const std::vector<ScoreRow> rows = ParseScoreCsv(
      "note,measured_w,load,logical_cpus,physical_cores,sockets,cpu_model\n"
      "x,120.5,0.5,16,8,1,\"Intel(R) Xeon(R) Gold 6140 CPU @ 2.30GHz\"\n"
      "\n"
      "y,60,0,16,,1,Intel(R) Xeon(R) Gold 6140 CPU @ 2.30GHz\n",
      "meas.csv");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].cpu_model, "Intel(R) Xeon(R) Gold 6140 CPU @ 2.30GHz");
  EXPECT_EQ(rows[0].sockets, 1);
  EXPECT_EQ(rows[0].logical_cpus, 16);
  EXPECT_EQ(rows[0].physical_cores, 8);
  EXPECT_DOUBLE_EQ(rows[0].load, 0.5);
  EXPECT_DOUBLE_EQ(rows[0].measured_w, 120.5);
  EXPECT_EQ(rows[0].line, 2);
  EXPECT_EQ(rows[1].physical_cores, 0);  // empty optional cell
  EXPECT_EQ(rows[1].line, 4);
}

TEST(ScoreCsvTest, MissingColumnIsNamed) {
  const std::string error = ErrorOf("cpu_model,sockets,logical_cpus,load\nX,1,2,0.5\n");
  EXPECT_TRUE(Contains(error, "meas.csv line 1: no 'measured_w' column")) << error;
  // Header names are exact.
  EXPECT_TRUE(
      Contains(ErrorOf("cpu_model,sockets,logical_cpus,Load,measured_w\n"), "no 'load' column"));
}

TEST(ScoreCsvTest, NonNumericCellNamesLineAndColumn) {
  const std::string error = ErrorOf(kHeader + "X,1,2,0.5,10\nX,1,2,half,10\n");
  EXPECT_TRUE(Contains(error, "meas.csv line 3 column 4 (load): 'half' is not a number")) << error;
}

TEST(ScoreCsvTest, LoadOutsideZeroToOne) {
  const std::string error = ErrorOf(kHeader + "X,1,2,1.5,10\n");
  EXPECT_TRUE(Contains(error, "meas.csv line 2 column 4 (load): 1.5 is outside 0-1")) << error;
  EXPECT_TRUE(Contains(ErrorOf(kHeader + "X,1,2,-0.1,10\n"), "outside 0-1"));
}

TEST(ScoreCsvTest, ZeroOrNegativeWatts) {
  const std::string error = ErrorOf(kHeader + "X,1,2,0.5,0\n");
  EXPECT_TRUE(Contains(error, "meas.csv line 2 column 5 (measured_w): 0 W is not a positive power"))
      << error;
  EXPECT_TRUE(Contains(ErrorOf(kHeader + "X,1,2,0.5,-3\n"), "not a positive power"));
}

TEST(ScoreCsvTest, SocketsAndCpusArePositiveWholeNumbers) {
  EXPECT_TRUE(Contains(ErrorOf(kHeader + "X,0,2,0.5,10\n"),
                       "line 2 column 2 (sockets): '0' is not a positive whole number"));
  EXPECT_TRUE(Contains(ErrorOf(kHeader + "X,1,2.5,0.5,10\n"),
                       "line 2 column 3 (logical_cpus): '2.5' is not a positive whole number"));
}

TEST(ScoreCsvTest, EmptyCellsAndFiles) {
  EXPECT_TRUE(Contains(ErrorOf(kHeader + ",1,2,0.5,10\n"), "column 1 (cpu_model): is empty"));
  EXPECT_TRUE(Contains(ErrorOf(kHeader + "X,1,2\n"), "column 4 (load): is empty"));
  EXPECT_TRUE(Contains(ErrorOf(""), "meas.csv: empty"));
  EXPECT_TRUE(Contains(ErrorOf(kHeader), "no measurements"));
}

TEST(ScoreCsvTest, UnreadableFileIsNamed) {
  try {
    ReadScoreCsv("/nonexistent/meas.csv");
    FAIL() << "expected an error";
  } catch (const std::runtime_error& error) {
    EXPECT_TRUE(Contains(error.what(), "/nonexistent/meas.csv")) << error.what();
  }
}

// A curve that is linear in busy cores from half power at idle, full load
// at the TDP, and a 100 W CPU: every estimate below can be done by hand.
EstimatorTables HandTables() {
  EstimatorTables tables;
  tables.fitted.curve = {0.5, 1.0, 0.0};
  tables.fitted.full_load_per_tdp = 1.0;
  tables.tdp_table = {{"Test CPU X1", 100}};
  return tables;
}

TEST(ScoreRowsTest, HandComputedErrors) {
  const std::vector<ScoreRow> rows = ParseScoreCsv(kHeader +
                                                       "Test CPU X1,1,2,0,40\n"   // est 50: +25 %
                                                       "Test CPU X1,1,2,1,125\n"  // est 100: -20 %
                                                       "Mystery Chip,1,2,1,8\n",  // 4 W × 2: 0 %
                                                   "meas.csv");
  const ScoreResult result = ScoreRows(rows, HandTables());
  ASSERT_EQ(result.per_cpu.size(), 2u);
  const ScoreSummary& known = result.per_cpu[0];
  EXPECT_EQ(known.cpu_model, "Test CPU X1");
  EXPECT_EQ(known.rows, 2);
  EXPECT_NEAR(known.mape_pct, 22.5, 1e-9);
  EXPECT_NEAR(known.bias_pct, 2.5, 1e-9);
  EXPECT_NEAR(known.energy_ratio, 150.0 / 165.0, 1e-12);
  EXPECT_EQ(known.paths, "TDP row");
  const ScoreSummary& unknown = result.per_cpu[1];
  EXPECT_EQ(unknown.rows, 1);
  EXPECT_NEAR(unknown.mape_pct, 0, 1e-9);
  EXPECT_EQ(unknown.paths, "default");  // still scored, and labelled
  EXPECT_EQ(result.overall.rows, 3);
  EXPECT_NEAR(result.overall.mape_pct, 15.0, 1e-9);
  EXPECT_NEAR(result.overall.bias_pct, 5.0 / 3.0, 1e-9);
  EXPECT_NEAR(result.overall.energy_ratio, 158.0 / 173.0, 1e-12);
  EXPECT_EQ(result.overall.paths, "TDP row, default");
}

TEST(ScoreRowsTest, SocketsAndPhysicalCoresReachTheCurve) {
  ScoreRow row;
  row.cpu_model = "Test CPU X1";
  row.sockets = 2;
  row.logical_cpus = 8;
  row.physical_cores = 8;  // no SMT: half the threads busy is half the cores
  row.load = 0.5;
  row.measured_w = 1;
  EstimatePath path = EstimatePath::kDefault;
  EXPECT_DOUBLE_EQ(EstimateRowW(row, HandTables(), &path), 200 * 0.75);
  EXPECT_EQ(path, EstimatePath::kTdpRow);
  row.physical_cores = 0;  // the x86 rule: 4 cores, all busy at half the threads
  EXPECT_DOUBLE_EQ(EstimateRowW(row, HandTables(), nullptr), 200.0);
}

}  // namespace
}  // namespace carbonbench::power_model
