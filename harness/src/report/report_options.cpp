#include "report/report_options.h"

namespace carbonbench::report {

Objective ReportObjective(const ReportOptions& options) {
  return ParseObjective(options.objective).value_or(Objective::kAccuracyPerKwh);
}

std::optional<double> ReportTarget(const ReportOptions& options) {
  if (options.target_accuracy_percent > 0) return options.target_accuracy_percent;
  return std::nullopt;
}

}  // namespace carbonbench::report
