#include "report/suite_report.h"

#include <stdexcept>

#include <fmt/format.h>

#include "report/export/emissions_csv.h"
#include "report/export/exports.h"
#include "report/export/plots.h"
#include "util/file_name.h"

namespace carbonbench::report {

std::vector<std::string> WriteSuiteReport(const ResultsStore& store, const std::string& suite,
                                          const std::string& reports_dir, ReportOptions options) {
  // The name may come from the store (a merged one, or one written by hand):
  // it becomes file names under reports_dir, and must not lead out of it.
  if (const std::string problem = FileStemProblem(suite); !problem.empty()) {
    throw std::runtime_error(fmt::format(
        "store {}: suite name '{}' {}; reports are written as {}/<suite>.md and beside it, so no "
        "report is written for this name: report a suite whose name is a plain file name",
        store.path(), suite, problem, reports_dir));
  }
  const std::vector<RunRow> runs = store.LoadRuns(suite);
  if (runs.empty()) {
    throw std::runtime_error(fmt::format(
        "store {} holds no finished or failed run of suite '{}'; run the suite into this store "
        "first (carbonbench run SUITE.yaml), or pass --store with the store it ran into",
        store.path(), suite));
  }
  const PlotsOutcome plots = DrawPlots(suite, runs, reports_dir);
  options.plots = plots.plots;
  options.plots_note = plots.note;
  options.search = LoadSearch(store, suite);
  if (options.search) {
    const PlotsOutcome search_plots = DrawSearchPlots(suite, *options.search, reports_dir);
    options.search_plots = search_plots.plots;
    options.search_plots_note = search_plots.note;
  }
  std::vector<std::string> paths = {WriteMarkdownReport(store, suite, reports_dir, options),
                                    WriteEmissionsCsv(store, suite, reports_dir)};
  for (const std::string& path : WriteExports(suite, runs, reports_dir, options)) {
    paths.push_back(path);
  }
  for (const PlotLink& plot : plots.plots) {
    paths.push_back(reports_dir + "/" + plot.svg_path);
  }
  for (const PlotLink& plot : options.search_plots) {
    paths.push_back(reports_dir + "/" + plot.svg_path);
  }
  return paths;
}

}  // namespace carbonbench::report
