#include "report/render/markdown_report.h"

#include <algorithm>
#include <filesystem>
#include <stdexcept>

#include <fmt/format.h>

#include "report/export/atomic_file.h"
#include "report/render/history_note.h"
#include "report/render/section_table.h"

namespace carbonbench::report {
namespace {

// Rows still running are not results yet; LoadRuns already leaves them
// out, this keeps the report right for any caller. Ordered by id so that
// the text depends on the runs only, not on the order they were passed in.
std::vector<RunRow> EndedRuns(const std::vector<RunRow>& runs) {
  std::vector<RunRow> ended;
  for (const RunRow& run : runs) {
    if (run.status == "finished" || run.status == "failed") {
      ended.push_back(run);
    }
  }
  std::stable_sort(ended.begin(), ended.end(),
                   [](const RunRow& a, const RunRow& b) { return a.id < b.id; });
  return ended;
}

}  // namespace

std::string RenderMarkdownReport(const std::string& suite, const std::vector<RunRow>& runs,
                                 const ReportOptions& options) {
  ReportInput input;
  input.suite = suite;
  input.options = options;
  input.runs = EndedRuns(runs);
  // Grouped after input.runs is final: cells point into it.
  input.cells = GroupCells(input.runs);
  std::string markdown;
  for (const ReportSection& section : ReportSections()) {
    markdown += section.render(input);
  }
  return markdown;
}

std::string WriteMarkdownReport(const ResultsStore& store, const std::string& suite,
                                const std::string& reports_dir, const ReportOptions& options) {
  const std::vector<RunRow> runs = store.LoadRuns(suite);
  if (runs.empty()) {
    throw std::runtime_error(fmt::format(
        "store {} holds no finished or failed run of suite '{}'; run the suite into this store "
        "first (carbonbench run SUITE.yaml), or pass --store with the store it ran into",
        store.path(), suite));
  }
  std::filesystem::create_directories(reports_dir);
  const std::filesystem::path path = std::filesystem::path(reports_dir) / (suite + ".md");
  ReportOptions with_history = options;
  with_history.history = HistoryOf(store.LoadSupersededRuns(suite));
  if (!with_history.search) with_history.search = LoadSearch(store, suite);
  WriteFileAtomically(path, RenderMarkdownReport(suite, runs, with_history));
  return path.string();
}

}  // namespace carbonbench::report
