// A run measures inference after training and stores it; `infer` measures a
// saved model alone.
#include <sys/stat.h>

#include <fstream>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "e2e_util.h"
#include "store/results_store.h"

namespace carbonbench::e2e {
namespace {

TEST_F(EndToEnd, ARunStoresItsInferencePhaseAndInferMeasuresTheSavedModel) {
  const fs::path suite = WriteSuite("served", R"(defaults:
  model: cnn
  epochs: 2
  batch_size: 32
  lr: 0.01
  threads: 1
  cnn: {channels: 4, hidden: 16}
inference: {batch_sizes: [1, 8], min_time_s: 0.05, min_iterations: 5, warmup_iterations: 1}
)");
  const CommandResult run = RunCarbonbench(RunSuite(suite));
  ASSERT_EQ(run.exit_code, 0) << run.output;
  const auto runs = ResultsStore((root_ / "results.db").string()).LoadRuns("served");
  ASSERT_EQ(runs.size(), 1u);
  const RunSummary& summary = runs[0].summary;
  EXPECT_GT(summary.cold_start_s, 0);
  ASSERT_EQ(summary.inference.size(), 2u);
  EXPECT_EQ(summary.inference[0].batch_size, 1);
  EXPECT_EQ(summary.inference[1].batch_size, 8);
  EXPECT_GE(summary.inference[1].iterations, 5);
  EXPECT_GT(summary.inference[1].energy_wh, 0);
  bool inference_phase = false;
  for (const PhaseEnergy& phase : summary.phases) inference_phase |= phase.phase == "inference";
  EXPECT_TRUE(inference_phase);
  const std::string report = e2e::ReadFile(root_ / "reports" / "served.md");
  EXPECT_NE(report.find("## Inference"), std::string::npos);

  const std::string model = summary.model_path;
  ASSERT_TRUE(fs::exists(model));
  ASSERT_TRUE(fs::exists(fs::path(model).replace_extension(".json")));
  const fs::path json = root_ / "infer.json";
  const CommandResult infer = RunCarbonbench(
      "infer --model-file " + model + " --dataset-path " + (root_ / "data").string() +
      " --batch-sizes 1,4 --min-time-s 0.05 --json " + json.string());
  ASSERT_EQ(infer.exit_code, 0) << infer.output;
  // The loaded model is the trained one: the same test accuracy.
  char accuracy[64];
  std::snprintf(accuracy, sizeof(accuracy), "test accuracy %.2f%%", 100.0 * summary.final_accuracy);
  EXPECT_NE(infer.output.find(accuracy), std::string::npos) << infer.output;
  EXPECT_NE(infer.output.find("| 4 |"), std::string::npos) << infer.output;
  const auto figures = nlohmann::json::parse(e2e::ReadFile(json));
  EXPECT_EQ(figures["model"], "cnn");
  ASSERT_EQ(figures["inference"].size(), 2u);
  EXPECT_EQ(figures["inference"][1]["batch_size"], 4);
  EXPECT_GT(figures["inference"][1]["p99_ms"].get<double>(), 0);

  const CommandResult missing =
      RunCarbonbench("infer --model-file " + (root_ / "none.pt").string());
  EXPECT_NE(missing.exit_code, 0);
  EXPECT_NE(missing.output.find("none.pt: no such model file"), std::string::npos)
      << missing.output;
}

// A corrupt or truncated .pt is named with libtorch's first line, not its
// twenty-frame stack trace; a FIFO in its place is refused, not waited on.
TEST_F(EndToEnd, InferOnACorruptModelFileNamesItWithoutAStackTrace) {
  const fs::path suite = WriteSuite("saved", R"(defaults:
  model: cnn
  epochs: 1
  batch_size: 32
  lr: 0.01
  threads: 1
  cnn: {channels: 4, hidden: 16}
inference: {batch_sizes: [1], min_time_s: 0.01, min_iterations: 1, warmup_iterations: 0}
)");
  const CommandResult run = RunCarbonbench(RunSuite(suite));
  ASSERT_EQ(run.exit_code, 0) << run.output;
  const auto runs = ResultsStore((root_ / "results.db").string()).LoadRuns("saved");
  ASSERT_EQ(runs.size(), 1u);
  const fs::path model = runs[0].summary.model_path;
  const fs::path sidecar = fs::path(model).replace_extension(".json");

  const auto infer = [&](const fs::path& file) {
    return RunCarbonbench("infer --model-file " + file.string() + " --dataset-path " +
                          (root_ / "data").string() + " --batch-sizes 1 --min-time-s 0.01");
  };
  const auto copy_sidecar = [&](const std::string& stem) {
    fs::copy_file(sidecar, root_ / (stem + ".json"));
    return root_ / (stem + ".pt");
  };
  const fs::path garbage = copy_sidecar("garbage");
  std::ofstream(garbage) << "this is not a model\n";
  const fs::path truncated = copy_sidecar("truncated");
  fs::copy_file(model, truncated);
  fs::resize_file(truncated, fs::file_size(model) / 2);
  for (const fs::path& bad : {garbage, truncated}) {
    const CommandResult result = infer(bad);
    EXPECT_NE(result.exit_code, 0) << result.output;
    EXPECT_NE(result.output.find("model file " + bad.string() + ": cannot be loaded"),
              std::string::npos)
        << result.output;
    EXPECT_EQ(result.output.find("frame #"), std::string::npos) << result.output;
    EXPECT_EQ(result.output.find("Exception raised from"), std::string::npos) << result.output;
  }

  const fs::path fifo = copy_sidecar("fifo");
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  const CommandResult from_fifo = infer(fifo);
  EXPECT_NE(from_fifo.exit_code, 0);
  EXPECT_NE(from_fifo.output.find(fifo.string() + " is a FIFO, not a regular file"),
            std::string::npos)
      << from_fifo.output;
}

}  // namespace
}  // namespace carbonbench::e2e
