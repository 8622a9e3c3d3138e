// How the figures were obtained, so a reader of the report alone can tell
// an estimate from a measurement.
#include "report/render/sections.h"

namespace carbonbench::report {

std::string ClosingSection(const ReportInput& input) {
  if (input.runs.empty()) return "";
  return "---\n\n"
         "How these figures were obtained: durations are wall-clock times of "
         "whole runs; energy comes from the meters listed under Environment, "
         "with the PUE applied; CO2 is that energy times the carbon intensity "
         "of the region used. Energy figures with provenance \"estimated\" "
         "are estimates, not measurements. Suite totals include failed "
         "runs.\n";
}

}  // namespace carbonbench::report
