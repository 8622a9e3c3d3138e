#include "report/render/history_note.h"

#include <set>

#include <fmt/format.h>

namespace carbonbench::report {

RunHistory HistoryOf(const std::vector<RunRow>& superseded) {
  std::set<std::string> configurations;
  for (const RunRow& run : superseded) configurations.insert(run.start.config_hash);
  return {static_cast<int>(superseded.size()), static_cast<int>(configurations.size())};
}

std::string HistoryNote(const RunHistory& history) {
  if (history.superseded_runs == 0) return "";
  const bool one = history.superseded_runs == 1;
  return fmt::format(
      "{} earlier run{} of {} cell{} {} kept in the store as history (`run --fresh` ran them "
      "again); this report and its exports use the latest run of each cell.\n\n",
      history.superseded_runs, one ? "" : "s", history.cells, history.cells == 1 ? "" : "s",
      one ? "is" : "are");
}

}  // namespace carbonbench::report
