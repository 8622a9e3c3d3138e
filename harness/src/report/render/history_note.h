// The sentence that says a report shows the latest run of each cell when
// `run --fresh` left earlier ones in the store as history.
#pragma once

#include <string>
#include <vector>

#include "records/run_records.h"
#include "report/report_options.h"

namespace carbonbench::report {

// How many superseded runs there are, and of how many configurations.
RunHistory HistoryOf(const std::vector<RunRow>& superseded);

// "3 earlier runs of 2 cells are kept ..."; empty without history.
std::string HistoryNote(const RunHistory& history);

}  // namespace carbonbench::report
