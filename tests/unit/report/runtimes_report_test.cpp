// One architecture on two runtimes: the results table names each cell's
// runtime, and the against-baseline table sets a TorchScript cell against
// the same architecture on C++ modules with the same optimizations.
#include <gtest/gtest.h>

#include "report/analysis/report_cells.h"
#include "report/render/markdown_report.h"
#include "unit/report/report_test_util.h"

namespace carbonbench::report {
namespace {

using report_testing::Finished;
using report_testing::LinesFrom;
using report_testing::RowCells;
using report_testing::SectionLines;
using report_testing::Start;
using Cells = std::vector<std::string>;

// The row of a table whose first two cells are `cell` and `second`.
Cells RowOf(const std::vector<std::string>& lines, const std::string& cell,
            const std::string& second) {
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const Cells row = RowCells({lines[i]}, cell);
    if (row.size() > 1 && row[1] == second) return row;
  }
  return {};
}

RunRow OnRuntime(RunRow run, const std::string& runtime, const std::string& architecture) {
  run.summary.runtime = runtime;
  run.summary.architecture = architecture;
  return run;
}

// cnn as C++ modules and as TorchScript (a file declaring "cnn"), each in
// fp32 and bf16; and a TorchScript file of another architecture.
std::vector<RunRow> RuntimeRuns() {
  nlohmann::json cnn = report_testing::BaseSettings("cnn");
  nlohmann::json script = cnn;
  script.erase("cnn.hidden");
  script["model"] = "torchscript";
  script["torchscript.path"] = "/models/cnn.pt";
  nlohmann::json other = script;
  other["torchscript.path"] = "/models/mlp.pt";
  auto mixed = [](nlohmann::json settings) {
    settings["mixed_precision.dtype"] = "bf16";
    return settings;
  };
  std::vector<RunRow> runs;
  auto add = [&](const std::string& cell, const std::string& model,
                 const std::vector<std::string>& optimizations, const nlohmann::json& settings,
                 double energy, double accuracy, const std::string& runtime,
                 const std::string& architecture) {
    runs.push_back(
        OnRuntime(Finished(runs.size() + 1, Start(cell, model, optimizations, settings, 0), 100,
                           energy, accuracy),
                  runtime, architecture));
  };
  add("cnn/baseline", "cnn", {}, cnn, 10, 0.90, "C++ modules", "cnn");
  add("cnn/mixed_precision", "cnn", {"mixed_precision"}, mixed(cnn), 6, 0.89, "C++ modules", "cnn");
  add("torchscript/baseline/torchscript.path=cnn.pt", "torchscript", {}, script, 12, 0.90,
      "TorchScript", "cnn");
  add("torchscript/mixed_precision/torchscript.path=cnn.pt", "torchscript", {"mixed_precision"},
      mixed(script), 9, 0.88, "TorchScript", "cnn");
  add("torchscript/baseline/torchscript.path=mlp.pt", "torchscript", {}, other, 3, 0.80,
      "TorchScript", "mlp");
  return runs;
}

TEST(RuntimesReport, ATorchScriptCellsRuntimeBaselineIsItsArchitectureOnCppModules) {
  const std::vector<RunRow> runs = RuntimeRuns();
  const std::vector<CellRuns> cells = GroupCells(runs);
  auto named = [&](const std::string& name) -> const CellRuns& {
    for (const CellRuns& cell : cells)
      if (cell.name == name) return cell;
    throw std::runtime_error("no cell " + name);
  };
  const CellRuns* fp32 =
      FindRuntimeBaseline(named("torchscript/baseline/torchscript.path=cnn.pt"), cells);
  ASSERT_NE(fp32, nullptr);
  EXPECT_EQ(fp32->name, "cnn/baseline");
  const CellRuns* bf16 =
      FindRuntimeBaseline(named("torchscript/mixed_precision/torchscript.path=cnn.pt"), cells);
  ASSERT_NE(bf16, nullptr);
  EXPECT_EQ(bf16->name, "cnn/mixed_precision");
  // No C++ cell of its architecture; and C++ cells have no runtime baseline.
  EXPECT_EQ(FindRuntimeBaseline(named("torchscript/baseline/torchscript.path=mlp.pt"), cells),
            nullptr);
  EXPECT_EQ(FindRuntimeBaseline(named("cnn/baseline"), cells), nullptr);
}

TEST(RuntimesReport, TheReportNamesRuntimesAndComparesThem) {
  const std::string report =
      RenderMarkdownReport("mnist_quick", RuntimeRuns(), report_testing::BuiltInOptions());
  const auto how = LinesFrom(SectionLines(report, "## Results"), "| Model");
  ASSERT_FALSE(how.empty()) << report;
  EXPECT_NE(how[0].find("| Runtime "), std::string::npos) << how[0];
  EXPECT_EQ(RowCells(how, "torchscript/baseline/torchscript.path=cnn.pt"),
            (Cells{"torchscript/baseline/torchscript.path=cnn.pt", "torchscript",
                   "TorchScript (cnn)", "—", "fp32", "completed 2 epochs"}));
  EXPECT_EQ(RowCells(how, "cnn/baseline"),
            (Cells{"cnn/baseline", "cnn", "C++ modules", "—", "fp32", "completed 2 epochs"}));

  const auto against = SectionLines(report, "## Against the baseline");
  // The TorchScript bf16 cell: against TorchScript fp32 (its optimization),
  // then against cnn bf16 on C++ modules (its runtime).
  const std::string bf16 = "torchscript/mixed_precision/torchscript.path=cnn.pt";
  const Cells against_fp32 = RowOf(against, bf16, "torchscript/baseline/torchscript.path=cnn.pt");
  ASSERT_EQ(against_fp32.size(), 7u) << report;
  EXPECT_EQ(against_fp32[4], "-25.0");
  const Cells against_cpp = RowOf(against, bf16, "cnn/mixed_precision");
  ASSERT_EQ(against_cpp.size(), 7u) << report;
  EXPECT_EQ(against_cpp[4], "+50.0");
  const Cells fp32 = RowOf(against, "torchscript/baseline/torchscript.path=cnn.pt", "cnn/baseline");
  ASSERT_EQ(fp32.size(), 7u) << report;
  EXPECT_EQ(fp32[4], "+20.0");
  EXPECT_NE(report.find("and each cell run on another runtime against the same architecture on "
                        "C++ modules"),
            std::string::npos);
}

// Runs from before runtimes were recorded show no runtime column.
TEST(RuntimesReport, RunsOnTheirOwnModulesShowNoRuntimeColumn) {
  const std::string report = RenderMarkdownReport("mnist_quick", report_testing::SampleRuns(),
                                                  report_testing::BuiltInOptions());
  EXPECT_EQ(report.find("| Runtime |"), std::string::npos);
}

}  // namespace
}  // namespace carbonbench::report
