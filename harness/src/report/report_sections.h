// The sections of the Markdown report, each rendered on its own from the
// same grouped view of the suite. Each returns its text ending in a blank
// line, so the report is their concatenation.
#pragma once

#include <string>
#include <vector>

#include "report/markdown_report.h"
#include "report/report_cells.h"
#include "store/results_store.h"

namespace carbonbench::report {

struct ReportInput {
  std::string suite;
  std::vector<RunRow> runs;     // finished and failed, as given
  std::vector<CellRuns> cells;  // points into `runs`
  ReportOptions options;
};

// Title and the one-line summary of the suite.
std::string SummarySection(const ReportInput& input);
std::string EnvironmentSection(const ReportInput& input);
std::string ResultsSection(const ReportInput& input);
std::string BaselineSection(const ReportInput& input);
std::string EpochsSection(const ReportInput& input);
// Latency, throughput and energy of serving each trained model.
std::string InferenceSection(const ReportInput& input);
// Each cell's CO2 had it run in each of options.compare_regions.
std::string GreenerSection(const ReportInput& input);
// How the figures were obtained.
std::string ClosingSection(const ReportInput& input);

// "12.300 Wh (estimated: cpu_estimate, CodeCarbon cpu_load model)": an
// energy figure with the provenance of the runs behind it and the meters
// that produced it.
std::string EnergyWithProvenance(double energy_wh,
                                 const std::vector<const RunRow*>& runs,
                                 const std::vector<MeterInfo>& meters);

}  // namespace carbonbench::report
