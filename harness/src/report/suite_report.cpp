#include "report/suite_report.h"

#include <stdexcept>

#include "report/export/emissions_csv.h"
#include "report/export/exports.h"
#include "report/export/plots.h"

namespace carbonbench {

std::vector<std::string> WriteSuiteReport(const ResultsStore& store, const std::string& suite,
                                          const std::string& reports_dir, ReportOptions options) {
  const std::vector<RunRow> runs = store.LoadRuns(suite);
  if (runs.empty()) {
    throw std::runtime_error("store " + store.path() +
                             " holds no finished or failed run of suite '" + suite + "'");
  }
  const report::PlotsOutcome plots = report::DrawPlots(suite, runs, reports_dir);
  options.plots = plots.plots;
  options.plots_note = plots.note;
  std::vector<std::string> paths = {WriteMarkdownReport(store, suite, reports_dir, options),
                                    WriteEmissionsCsv(store, suite, reports_dir)};
  for (const std::string& path : report::WriteExports(suite, runs, reports_dir, options)) {
    paths.push_back(path);
  }
  for (const PlotLink& plot : plots.plots) {
    paths.push_back(reports_dir + "/" + plot.svg_path);
  }
  return paths;
}

}  // namespace carbonbench
