// Under the Inference tables: the rows whose timing was disturbed, told by
// a p90 far above the p50 of the same loop.
#include <fmt/format.h>

#include "report/render/sections.h"

namespace carbonbench::report {
namespace {

// A p90 this many times the p50 means something else took the machine
// during the timed loop: the figures describe that, not the model.
constexpr double kUnsteadyP90OverP50 = 3.0;

// "- mynet/baseline rep 1, batch 8: p90 7× p50: ..." for a row whose timing
// was disturbed; empty for a steady one.
std::string UnsteadyTimingNote(const std::string& cell, int repetition, const InferenceRecord& r) {
  if (r.p50_ms <= 0 || r.p90_ms <= kUnsteadyP90OverP50 * r.p50_ms) return "";
  return fmt::format(
      "- {} rep {}, batch {}: p90 {:.2g}× p50: timing disturbed, rerun on a quiet machine.\n", cell,
      repetition + 1, r.batch_size, r.p90_ms / r.p50_ms);
}

}  // namespace

std::string InferenceTimingSection(const ReportInput& input) {
  std::string notes;
  for (const CellRuns& cell : input.cells) {
    for (const RunRow* run : cell.finished) {
      for (const InferenceRecord& r : run->summary.inference) {
        notes += UnsteadyTimingNote(cell.name, run->start.repetition, r);
      }
    }
  }
  if (notes.empty()) return "";
  return "Unsteady timing (p90 over 3× p50):\n\n" + notes + "\n";
}

}  // namespace carbonbench::report
