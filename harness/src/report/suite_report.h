// Everything `report` and `run` write for a suite from the store alone:
// plots, the Markdown report, CodeCarbon's emissions.csv and the CSV/JSON
// exports.
#pragma once

#include <string>
#include <vector>

#include "report/render/markdown_report.h"
#include "store/results_store.h"

namespace carbonbench {

// Returns the paths written, the report's first. Throws
// std::runtime_error when the store holds no run of the suite.
std::vector<std::string> WriteSuiteReport(const ResultsStore& store, const std::string& suite,
                                          const std::string& reports_dir, ReportOptions options);

}  // namespace carbonbench
