// The Markdown report of one suite, made from the store alone.
#pragma once

#include <string>
#include <vector>

#include "report/report_options.h"
#include "store/results_store.h"

namespace carbonbench::report {

// Renders reports/<suite>.md's text from the suite's stored runs.
std::string RenderMarkdownReport(const std::string& suite, const std::vector<RunRow>& runs,
                                 const ReportOptions& options = {});

// Loads the suite's runs, renders and writes <reports_dir>/<suite>.md
// (atomically: a temporary file renamed into place). Returns the path.
// Throws std::runtime_error when the store holds no run of the suite.
std::string WriteMarkdownReport(const ResultsStore& store, const std::string& suite,
                                const std::string& reports_dir, const ReportOptions& options = {});

}  // namespace carbonbench::report
