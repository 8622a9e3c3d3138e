// The sections of the Markdown report, each rendered on its own from the
// same grouped view of the suite. Each returns its text ending in a blank
// line, so the report is their concatenation.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "records/run_records.h"
#include "report/analysis/leaderboard.h"
#include "report/analysis/report_cells.h"
#include "report/analysis/tradeoffs.h"
#include "report/render/markdown_report.h"
#include "report/render/markdown_table.h"

namespace carbonbench::report {

struct ReportInput {
  std::string suite;
  std::vector<RunRow> runs;     // finished and failed, as given
  std::vector<CellRuns> cells;  // points into `runs`
  ReportOptions options;
};

// Title, the one-line summary of the suite, the recommendations and the
// best cell per objective.
std::string SummarySection(const ReportInput& input);
// Cells ranked by options.objective, per classification dataset.
std::string LeaderboardSection(const ReportInput& input);
// Which cells are on the front of quality against energy and CO2.
std::string ParetoSection(const ReportInput& input);
// The suite's hyperparameter search, when the store holds one: what it
// ran and spent, what pruning saved (projected), its trials, the best trial
// or the Pareto front, its plots and the parameters' importances.
std::string SearchSection(const ReportInput& input);
// Precision, recall, F1 and the confusion matrix of each classifier cell.
std::string ClassMetricsSection(const ReportInput& input);
// What stopping before the planned epochs saved, projected.
std::string EarlyStopSection(const ReportInput& input);
// Network size, compute and peak memory per phase, and what each
// optimization measured, per cell.
std::string OptimizationsSection(const ReportInput& input);
// Where each cell's training stopped paying, and what the rest cost.
std::string OptimalEpochSection(const ReportInput& input);
// Links to the plots drawn beside the report.
std::string PlotsSection(const ReportInput& input);
std::string EnvironmentSection(const ReportInput& input);
std::string ResultsSection(const ReportInput& input);
std::string BaselineSection(const ReportInput& input);
std::string EpochsSection(const ReportInput& input);
// Latency, throughput and energy of serving each trained model.
std::string InferenceSection(const ReportInput& input);
// The inference rows whose p90 is over 3 times their p50 (timing disturbed),
// as a list under the Inference tables; "" when every row is steady.
std::string InferenceTimingSection(const ReportInput& input);
// Each cell's CO2 had it run in each of options.compare_regions.
std::string GreenerSection(const ReportInput& input);
// Per run (runs measured alike share a table): per component the meter,
// provenance, scope, band and calibration; the sampling achieved; and the
// load from outside the run, with a warning where it distorted the figures.
std::string MeasurementSection(const ReportInput& input);
// How the figures were obtained.
std::string ClosingSection(const ReportInput& input);

// The recommendation sentences: the cheapest way to each dataset's target,
// the cheapest cell close to the most accurate, what each optimization did,
// and what stopping at the optimal epoch would have saved. As the report's
// Markdown list items, or as plain text (the explorer's JSON).
enum class TextStyle { kMarkdown, kPlainText };
std::vector<std::string> RecommendationSentences(const ReportInput& input, TextStyle style);
// The against-baseline row of an optimized cell, as the report prints it:
// cell, baseline, runs, Δ time %, Δ energy %, Δ CO2 %, Δ quality (accuracy
// points, or RMSE %), each change with its marks; "no baseline cell" and
// dashes when `baseline` is null.
std::vector<std::string> BaselineDeltaRow(const CellRuns& cell, const CellRuns* baseline);

// "Energy figures are estimated (PUE applied).\n\n", or cell by cell
// when the finished runs' provenance differs: every section that shows
// energy or CO2 says how it was obtained.
std::string ProvenanceLine(const std::vector<CellRuns>& cells);

// Why a dataset's cells are split over several tables, naming the data of
// each ("fashion_mnist (12,000 train / 2,000 test; 2,000 train / 1,000
// test)"), ending in a blank line; "" when no dataset ran on several.
std::string DataSplitNote(const std::vector<CellRuns>& cells);

// What an estimate's differences mean, when any of the runs is estimated:
// they follow time and CPU load only, and the band shifts every cell alike.
// Ends in a blank line; "" when nothing is estimated.
std::string EstimateStatement(const std::vector<const RunRow*>& runs);
// What each counter behind a measured figure covers: "Measured: cpu by
// pkg_counter (CPU package counter), whole machine.", ending in a blank line; ""
// when nothing is measured.
std::string MeasuredCoverage(const std::vector<const RunRow*>& runs);
// "whole machine", "this run's process", as a meter's scope reads.
std::string ScopeText(const std::optional<std::string>& scope);

// "12.300 Wh (estimated: <meter>, <its method>)": an
// energy figure with the provenance of the runs behind it and the meters
// that produced it; with a band, "12.300 Wh, estimated ±35% (...)".
std::string EnergyWithProvenance(double energy_wh, const std::vector<const RunRow*>& runs,
                                 const std::vector<MeterInfo>& meters, double band_wh = 0);

}  // namespace carbonbench::report
