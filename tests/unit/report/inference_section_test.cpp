// The Inference section flags a row whose p90 is far above its p50: the
// timed loop was disturbed, and its figures describe the disturbance.
#include <string>

#include <gtest/gtest.h>

#include "report/render/markdown_report.h"
#include "unit/report/report_test_util.h"

namespace carbonbench {
namespace {

InferenceRecord Timed(int batch_size, double p50_ms, double p90_ms) {
  InferenceRecord r;
  r.batch_size = batch_size;
  r.predictions = 1000;
  r.p50_ms = p50_ms;
  r.p90_ms = p90_ms;
  r.p99_ms = p90_ms;
  r.energy_provenance = "estimated";
  return r;
}

std::string Inference(const std::vector<InferenceRecord>& rows) {
  auto runs = report_testing::SampleRuns();
  runs[0].summary.inference = rows;
  const std::string report =
      report::RenderMarkdownReport("mnist_quick", runs, report_testing::BuiltInOptions());
  const auto at = report.find("## Inference");
  EXPECT_NE(at, std::string::npos);
  return report.substr(at, report.find("\n## ", at + 1) - at);
}

TEST(InferenceSection, FlagsARowWhoseP90IsFarAboveItsP50) {
  const std::string section = Inference({Timed(1, 2.0, 14.0), Timed(8, 5.0, 6.0)});
  EXPECT_NE(section.find("- cnn/baseline rep 1, batch 1: p90 7× p50: timing disturbed, rerun on "
                         "a quiet machine."),
            std::string::npos)
      << section;
  EXPECT_EQ(section.find("batch 8: p90"), std::string::npos) << section;
}

TEST(InferenceSection, SaysNothingOfSteadyTiming) {
  const std::string section = Inference({Timed(1, 2.0, 6.0), Timed(8, 5.0, 6.0)});
  EXPECT_EQ(section.find("timing disturbed"), std::string::npos) << section;
  EXPECT_EQ(section.find("Unsteady timing"), std::string::npos) << section;
}

}  // namespace
}  // namespace carbonbench
