// The explorer's documents, made from stored runs alone: plain functions
// over RunRow vectors (so they are tested without a server), computed with
// the report's own analysis so the pages and the Markdown report agree.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "records/run_records.h"
#include "report/report_options.h"

namespace carbonbench::serve {

// One suite's cells by state, for the suites list.
struct SuiteState {
  std::string name;
  int cells = 0;
  int cells_finished = 0;
  int cells_failed = 0;
  int cells_running = 0;
  int runs_finished = 0;
  int runs_failed = 0;
  int runs_running = 0;
  std::string last_activity;  // ISO 8601, the latest start or end
};

// A suite's state from its current runs (`runs`: finished, failed and
// pruned; `running`: still marked running). A cell is running while any of
// its repetitions runs, failed when any failed, else finished.
SuiteState StateOf(const std::string& suite, const std::vector<RunRow>& runs,
                   const std::vector<RunRow>& running);
nlohmann::json ToJson(const SuiteState& state);

// GET /api/suites/{suite}: cells with their state and means, the
// leaderboards for `options`' objective and target, the Pareto fronts, the
// against-baseline rows and the recommendation sentences.
nlohmann::json SuiteDocument(const std::string& suite, const std::vector<RunRow>& runs,
                             const std::vector<RunRow>& running,
                             const report::ReportOptions& options);

// GET /api/suites/{suite}/cells/{hash}: the cell's summary and every run of
// it, finished, failed or running, in full (report::RunJson). Empty when
// the suite has no run of that configuration.
std::optional<nlohmann::json> CellDocument(const std::string& config_hash,
                                           const std::vector<RunRow>& runs,
                                           const std::vector<RunRow>& running);

// GET /api/runs/{id}: report::RunJson, with "status" and, while it runs,
// its epochs so far.
nlohmann::json RunDocument(const RunRow& run);

// GET /api/runs/{id}/epochs.
nlohmann::json EpochsDocument(const RunRow& run);

}  // namespace carbonbench::serve
