#include "report/render/section_table.h"

namespace carbonbench::report {

// The answer first, then the evidence, then how it was measured.
const std::vector<ReportSection>& ReportSections() {
  static const std::vector<ReportSection> sections = {
      {"summary", SummarySection},
      {"leaderboard", LeaderboardSection},
      {"baseline", BaselineSection},
      {"pareto", ParetoSection},
      {"search", SearchSection},
      {"optimal epoch", OptimalEpochSection},
      {"early stopping", EarlyStopSection},
      {"optimizations", OptimizationsSection},
      {"results", ResultsSection},
      {"class metrics", ClassMetricsSection},
      {"inference", InferenceSection},
      {"inference timing", InferenceTimingSection},
      {"plots", PlotsSection},
      {"epochs", EpochsSection},
      {"greener regions", GreenerSection},
      {"measurement", MeasurementSection},
      {"environment", EnvironmentSection},
      {"closing", ClosingSection},
  };
  return sections;
}

}  // namespace carbonbench::report
