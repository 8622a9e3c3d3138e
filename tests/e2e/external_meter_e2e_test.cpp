// A suite whose first meter's command prints bytes that are not UTF-8.
#include <string>

#include <gtest/gtest.h>

#include "e2e_util.h"
#include "store/results_store.h"

namespace carbonbench::e2e {
namespace {

TEST_F(EndToEnd, AnExternalMeterPrintingNonUtf8FallsBackAndTheReportIsWritten) {
  const fs::path suite = WriteSuite("bytes", R"(defaults:
  model: cnn
  epochs: 1
  batch_size: 32
  threads: 1
  cnn: {channels: 4, hidden: 16}
  external: {command: "printf '\\377\\n'"}
  constant: {cpu_w: 10}
inference: {enabled: false}
meters: [external, constant]
)");
  const CommandResult run = RunCarbonbench(RunSuite(suite));
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_NE(run.output.find("printed bytes that are not UTF-8 text (byte 0 is 0xFF)"),
            std::string::npos)
      << run.output;

  ResultsStore store((root_ / "results.db").string());
  const auto runs = store.LoadRuns("bytes");
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_EQ(runs[0].status, "finished") << runs[0].failure_reason;
  EXPECT_TRUE(fs::exists(root_ / "reports" / "bytes.md")) << run.output;
  EXPECT_TRUE(fs::exists(root_ / "reports" / "bytes.runs.json")) << run.output;
}

}  // namespace
}  // namespace carbonbench::e2e
