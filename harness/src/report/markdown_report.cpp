#include "report/markdown_report.h"

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <system_error>

#include "report/report_sections.h"

namespace carbonbench {
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
  std::stable_sort(
      ended.begin(), ended.end(),
      [](const RunRow& a, const RunRow& b) { return a.id < b.id; });
  return ended;
}

void WriteFileAtomically(const std::filesystem::path& path,
                         const std::string& text) {
  // Same folder as the target, so the rename never crosses file systems;
  // the pid keeps two concurrent writers off each other's temporary file.
  std::filesystem::path temporary = path;
  temporary += ".tmp-" + std::to_string(getpid());
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    out << text;
    out.close();
    if (!out) {
      std::error_code ignored;
      std::filesystem::remove(temporary, ignored);
      throw std::runtime_error("cannot write " + temporary.string());
    }
  }
  std::error_code error;
  std::filesystem::rename(temporary, path, error);
  if (error) {
    std::error_code ignored;
    std::filesystem::remove(temporary, ignored);
    throw std::runtime_error("cannot move the report into place at " +
                             path.string() + ": " + error.message());
  }
}

}  // namespace

std::string RenderMarkdownReport(const std::string& suite,
                                 const std::vector<RunRow>& runs,
                                 const ReportOptions& options) {
  report::ReportInput input;
  input.suite = suite;
  input.options = options;
  input.runs = EndedRuns(runs);
  // Grouped after input.runs is final: cells point into it.
  input.cells = report::GroupCells(input.runs);
  return report::SummarySection(input) + report::EnvironmentSection(input) +
         report::ResultsSection(input) + report::BaselineSection(input) +
         report::EpochsSection(input) + report::GreenerSection(input) +
         report::ClosingSection(input);
}

std::string WriteMarkdownReport(const ResultsStore& store,
                                const std::string& suite,
                                const std::string& reports_dir,
                                const ReportOptions& options) {
  const std::vector<RunRow> runs = store.LoadRuns(suite);
  if (runs.empty()) {
    throw std::runtime_error("store " + store.path() +
                             " holds no finished or failed run of suite '" +
                             suite + "'");
  }
  std::filesystem::create_directories(reports_dir);
  const std::filesystem::path path =
      std::filesystem::path(reports_dir) / (suite + ".md");
  WriteFileAtomically(path, RenderMarkdownReport(suite, runs, options));
  return path.string();
}

}  // namespace carbonbench
