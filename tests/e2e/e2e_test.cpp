// The whole path a user takes: suite file -> validation -> runner -> store ->
// report, through the real binary and plugins, on data the test writes.
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "e2e_util.h"
#include "records/record_json.h"
#include "store/results_store.h"

namespace carbonbench::e2e {
namespace {

constexpr const char* kTinyMatrix = R"(defaults:
  model: cnn
  epochs: 2
  batch_size: 32
  lr: 0.01
  threads: 1
  cnn: {channels: 4, hidden: 16}
matrix:
  optimizations: [[], [mixed_precision], [early_stop]]
carbon: {region: FR, pue: 1.5}
)";

// The report's skeleton: its headings, and each table's header and rule,
// up to the environment (which depends on the machine), with digits masked
// and padding collapsed, as Google Benchmark's output tests mask the
// figures that change from run to run.
std::string ReportSkeleton(const std::string& report) {
  std::istringstream in(report);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) {
    if (line == "## Environment") break;
    lines.push_back(line);
  }
  std::string skeleton;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const bool heading = lines[i].rfind("#", 0) == 0;
    const bool rule = lines[i].rfind("| -", 0) == 0 || lines[i].rfind("| :", 0) == 0;
    const bool header = i + 1 < lines.size() &&
                        (lines[i + 1].rfind("| -", 0) == 0 || lines[i + 1].rfind("| :", 0) == 0);
    if (!heading && !rule && !header) continue;
    std::string masked;
    for (const char c : lines[i]) {
      const char shown = std::isdigit(static_cast<unsigned char>(c)) ? '#' : c;
      // Column widths follow the figures: runs of spaces and dashes are one.
      if ((shown == ' ' || shown == '-') && !masked.empty() && masked.back() == shown) continue;
      masked += shown;
    }
    skeleton += masked + "\n";
  }
  return skeleton;
}

TEST_F(EndToEnd, RunsASuiteIntoTheStoreTheReportAndBenchmarkJson) {
  const fs::path suite = WriteSuite("tiny", kTinyMatrix);
  const fs::path json = root_ / "bench.json";
  const CommandResult run = RunCarbonbench(
      RunSuite(suite, "--benchmark_out=" + json.string() + " --benchmark_out_format=json"));
  ASSERT_EQ(run.exit_code, 0) << run.output;

  ResultsStore store((root_ / "results.db").string());
  const auto runs = store.LoadRuns("tiny");
  ASSERT_EQ(runs.size(), 3u);
  for (const auto& row : runs) {
    EXPECT_EQ(row.status, "finished") << row.start.cell_name;
    EXPECT_EQ(row.summary.epochs_run, static_cast<int>(row.epochs.size()));
    EXPECT_GT(row.summary.energy_wh, 0);
    EXPECT_EQ(row.summary.energy_provenance, "estimated");
    EXPECT_NEAR(row.summary.co2_g, row.summary.energy_wh / 1000 * row.start.intensity_g_per_kwh,
                1e-9);
    EXPECT_EQ(row.start.region_used, "FRA");
    EXPECT_DOUBLE_EQ(row.start.pue, 1.5);
    EXPECT_TRUE(fs::exists(row.summary.model_path)) << row.summary.model_path;
    EXPECT_GT(row.summary.final_accuracy, 0.5) << row.start.cell_name;
    // The last epoch's predictions by class: 128 test images, the diagonal
    // being the final accuracy.
    const auto confusion = ToJson(row.summary.confusion);
    ASSERT_EQ(confusion["classes"].size(), 10u) << EncodeRecord(row.summary.confusion);
    ASSERT_EQ(confusion["matrix"].size(), 10u);
    std::int64_t total = 0, right = 0;
    for (std::size_t r = 0; r < 10; ++r) {
      for (std::size_t c = 0; c < 10; ++c) total += confusion["matrix"][r][c].get<std::int64_t>();
      right += confusion["matrix"][r][r].get<std::int64_t>();
    }
    EXPECT_EQ(total, 128);
    EXPECT_DOUBLE_EQ(right / 128.0, row.summary.final_accuracy);
  }
  EXPECT_EQ(runs[0].start.cell_name, "cnn/baseline");
  EXPECT_EQ(runs[1].start.cell_name, "cnn/mixed_precision");
  EXPECT_EQ(runs[0].summary.compute_dtype, "fp32");
  EXPECT_EQ(runs[1].summary.compute_dtype, "bf16 autocast");

  const std::string report = ReadFile(root_ / "reports" / "tiny.md");
  EXPECT_NE(report.find("## Results"), std::string::npos);
  EXPECT_NE(report.find("| cnn/baseline "), std::string::npos) << report;
  EXPECT_NE(report.find("## Against the baseline"), std::string::npos);
  EXPECT_NE(report.find("| cnn/mixed_precision | cnn/baseline"), std::string::npos) << report;
  EXPECT_NE(report.find("estimated"), std::string::npos);
  for (const char* section : {"## Recommendations", "## Leaderboard", "## Pareto front",
                              "## Optimal epoch", "## Per-class metrics", "## Plots"}) {
    EXPECT_NE(report.find(section), std::string::npos) << section << " in\n" << report;
  }
  // Every section and table of a real run's report, against a reviewed
  // copy (CARBONBENCH_UPDATE_GOLDEN=1 rewrites it).
  const fs::path golden =
      fs::path(CARBONBENCH_TEST_SOURCE_DIR) / "golden" / "tiny_report_skeleton.md";
  if (std::getenv("CARBONBENCH_UPDATE_GOLDEN") != nullptr) {
    std::ofstream(golden, std::ios::binary) << ReportSkeleton(report);
  }
  EXPECT_EQ(ReportSkeleton(report), ReadFile(golden));

  // Beside the report: plots, the exports, each with a row per run.
  EXPECT_GT(fs::file_size(root_ / "reports" / "tiny.plots" / "energy_breakdown.svg"), 0u);
  EXPECT_GT(fs::file_size(root_ / "reports" / "tiny.plots" / "curves_cnn.png"), 0u);
  const std::string runs_csv = ReadFile(root_ / "reports" / "tiny.runs.csv");
  EXPECT_EQ(std::count(runs_csv.begin(), runs_csv.end(), '\n'), 4) << runs_csv;
  EXPECT_TRUE(
      nlohmann::json::parse(ReadFile(root_ / "reports" / "tiny.runs.json"))["runs"].size() == 3);

  // The recommender answers from the same store, as JSON too.
  const CommandResult answer = RunCarbonbench(Common() + " recommend --target-acc 1 --json");
  ASSERT_EQ(answer.exit_code, 0) << answer.output;
  const auto answers = nlohmann::json::parse(answer.output.substr(answer.output.find('[')));
  ASSERT_EQ(answers.size(), 1u);
  EXPECT_TRUE(answers[0]["reached"].get<bool>());
  EXPECT_EQ(answers[0]["cells_compared"], 3);
  // A dataset the store has no run of: an error naming the ones it has.
  const CommandResult other =
      RunCarbonbench(Common() + " recommend --target-acc 50 --dataset cifar10");
  EXPECT_EQ(other.exit_code, 1) << other.output;
  EXPECT_NE(other.output.find("it holds finished classifier runs on fashion_mnist"),
            std::string::npos)
      << other.output;

  const auto benchmark = nlohmann::json::parse(ReadFile(json));
  ASSERT_EQ(benchmark["benchmarks"].size(), 3u);
  const auto& first = benchmark["benchmarks"][0];
  EXPECT_EQ(first["name"], "tiny/cnn/baseline/iterations:1/repeats:1/manual_time");
  // Milliseconds, so compare.py (which prints in the file's unit) shows them.
  EXPECT_EQ(first["time_unit"], "ms");
  EXPECT_TRUE(first.contains("energy_wh"));
  EXPECT_TRUE(first.contains("co2_g"));
  EXPECT_TRUE(first.contains("accuracy_pct"));
}

// Google Benchmark's aggregates as hand-computed from the stored runs, in
// the JSON that google/benchmark's tools/compare.py reads: it groups entries
// by "name", orders them by family_index, per_family_instance_index,
// run_type and repetition_index, and compares real_time and cpu_time in
// time_unit; aggregates are told by run_type and aggregate_name.
TEST_F(EndToEnd, RepetitionsGetTheirOwnSeedsAndGoogleBenchmarkAggregates) {
  const fs::path suite = WriteSuite("repeated", R"(defaults:
  model: cnn
  epochs: 1
  threads: 1
  seed: 7
  cnn: {channels: 4, hidden: 16}
repetitions: 3
inference: {enabled: false}
)");
  const fs::path json = root_ / "bench.json";
  const CommandResult run = RunCarbonbench(RunSuite(suite, "--benchmark_out=" + json.string()));
  ASSERT_EQ(run.exit_code, 0) << run.output;
  ResultsStore store((root_ / "results.db").string());
  const auto runs = store.LoadRuns("repeated");
  ASSERT_EQ(runs.size(), 3u) << run.output;
  for (int r = 0; r < 3; ++r) {
    EXPECT_EQ(runs[r].start.repetition, r);
    EXPECT_EQ(runs[r].start.seed, 7 + r);
  }

  const auto output = nlohmann::json::parse(ReadFile(json));
  std::map<std::string, nlohmann::json> aggregates;
  std::vector<nlohmann::json> iterations;
  const std::string base = "repeated/cnn/baseline/iterations:1/repeats:3/manual_time";
  for (const auto& entry : output["benchmarks"]) {
    for (const char* field :
         {"name", "run_name", "run_type", "family_index", "per_family_instance_index",
          "repetitions", "time_unit", "real_time", "cpu_time", "iterations"}) {
      EXPECT_TRUE(entry.contains(field)) << field << " missing from " << entry.dump();
    }
    EXPECT_EQ(entry["time_unit"], "ms");
    EXPECT_EQ(entry["run_name"], base);
    EXPECT_EQ(entry["repetitions"], 3);
    if (entry["run_type"] == "aggregate") {
      aggregates[entry["aggregate_name"]] = entry;
      EXPECT_EQ(entry["name"], base + "_" + entry["aggregate_name"].get<std::string>());
    } else {
      EXPECT_EQ(entry["run_type"], "iteration");
      EXPECT_EQ(entry["name"], base);
      EXPECT_EQ(entry["repetition_index"], static_cast<int>(iterations.size()));
      iterations.push_back(entry);
    }
  }
  ASSERT_EQ(iterations.size(), 3u);
  std::vector<double> time, cpu, energy;
  for (int r = 0; r < 3; ++r) {
    // Wall time is the cell's stored duration; CPU time the cell process's own.
    EXPECT_NEAR(iterations[r]["real_time"].get<double>(), runs[r].summary.duration_s * 1000, 1e-3);
    EXPECT_GT(iterations[r]["cpu_time"].get<double>(), 50)
        << "the waiting thread's, not the cell's";
    time.push_back(iterations[r]["real_time"].get<double>());
    cpu.push_back(iterations[r]["cpu_time"].get<double>());
    energy.push_back(runs[r].summary.energy_wh);
  }
  for (const char* name : {"mean", "median", "stddev", "cv"}) {
    ASSERT_TRUE(aggregates.count(name)) << name << " missing from " << ReadFile(json);
    EXPECT_TRUE(aggregates[name].contains("energy_wh")) << name;
  }
  auto mean = [](const std::vector<double>& v) { return (v[0] + v[1] + v[2]) / 3; };
  auto median = [](std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v[1];
  };
  auto stddev = [&mean](const std::vector<double>& v) {  // the sample's, n - 1
    const double m = mean(v);
    return std::sqrt(((v[0] - m) * (v[0] - m) + (v[1] - m) * (v[1] - m) + (v[2] - m) * (v[2] - m)) /
                     2);
  };
  EXPECT_NEAR(aggregates["mean"]["real_time"].get<double>(), mean(time), 1e-6);
  EXPECT_NEAR(aggregates["median"]["real_time"].get<double>(), median(time), 1e-6);
  EXPECT_NEAR(aggregates["stddev"]["real_time"].get<double>(), stddev(time), 1e-6);
  EXPECT_EQ(aggregates["cv"]["aggregate_unit"], "percentage");
  EXPECT_NEAR(aggregates["cv"]["real_time"].get<double>(), stddev(time) / mean(time), 1e-9);
  EXPECT_NEAR(aggregates["mean"]["cpu_time"].get<double>(), mean(cpu), 1e-6);
  EXPECT_NEAR(aggregates["stddev"]["cpu_time"].get<double>(), stddev(cpu), 1e-6);
  EXPECT_NEAR(aggregates["mean"]["energy_wh"].get<double>(), mean(energy), 1e-12);
  EXPECT_NEAR(aggregates["median"]["energy_wh"].get<double>(), median(energy), 1e-12);
  EXPECT_NEAR(aggregates["stddev"]["energy_wh"].get<double>(), stddev(energy), 1e-12);
  const std::string report = ReadFile(root_ / "reports" / "repeated.md");
  EXPECT_NE(report.find(" ± "), std::string::npos) << report;
}

TEST_F(EndToEnd, ResumesSkippingFinishedCellsAndFreshRunsAgain) {
  const fs::path suite = WriteSuite("resume", kTinyMatrix);
  ASSERT_EQ(RunCarbonbench(RunSuite(suite, "--benchmark_filter=baseline")).exit_code, 0);
  ResultsStore before((root_ / "results.db").string());
  const auto first_runs = before.LoadRuns("resume");
  ASSERT_EQ(first_runs.size(), 1u);

  const CommandResult second = RunCarbonbench(RunSuite(suite));
  ASSERT_EQ(second.exit_code, 0) << second.output;
  EXPECT_EQ(second.output.find("cnn/baseline rep 1/1 epoch"), std::string::npos)
      << "the finished cell ran again:\n"
      << second.output;
  EXPECT_NE(second.output.find("cnn/early_stop rep 1/1 epoch 1/2"), std::string::npos);
  EXPECT_NE(second.output.find("from store"), std::string::npos);
  ResultsStore after((root_ / "results.db").string());
  const auto runs = after.LoadRuns("resume");
  ASSERT_EQ(runs.size(), 3u);
  EXPECT_EQ(runs[0].id, first_runs[0].id);  // the stored row was kept, not replaced

  const CommandResult fresh =
      RunCarbonbench(RunSuite(suite, "--fresh --benchmark_filter=baseline"));
  ASSERT_EQ(fresh.exit_code, 0) << fresh.output;
  EXPECT_NE(fresh.output.find("cnn/baseline rep 1/1 epoch 1/2"), std::string::npos);

  // The earlier run is kept as history; the report and exports use the latest.
  ResultsStore latest((root_ / "results.db").string());
  const auto current = latest.LoadRuns("resume");
  ASSERT_EQ(current.size(), 3u);
  const auto history = latest.LoadSupersededRuns("resume");
  ASSERT_EQ(history.size(), 1u);
  EXPECT_EQ(history[0].id, first_runs[0].id);
  EXPECT_EQ(history[0].summary.energy_wh, first_runs[0].summary.energy_wh);
  EXPECT_EQ(history[0].epochs.size(), first_runs[0].epochs.size());
  const std::string report = ReadFile(root_ / "reports" / "resume.md");
  EXPECT_NE(report.find("1 earlier run of 1 cell is kept in the store as history (`run --fresh` "
                        "ran them again); this report and its exports use the latest run of "
                        "each cell."),
            std::string::npos)
      << report;
  const std::string runs_csv = ReadFile(root_ / "reports" / "resume.runs.csv");
  EXPECT_EQ(std::count(runs_csv.begin(), runs_csv.end(), '\n'), 4) << runs_csv;
  EXPECT_EQ(runs_csv.find("\n" + std::to_string(first_runs[0].id) + ",resume,"), std::string::npos)
      << runs_csv;
}

TEST_F(EndToEnd, AFailingCellIsStoredWithItsReasonAndTheSuiteGoesOn) {
  const fs::path suite = WriteSuite("failing", R"(defaults:
  model: cnn
  epochs: 1
  threads: 1
  cnn: {channels: 4, hidden: 16}
matrix:
  optimizations: [[mixed_precision], []]
  mixed_precision.dtype: [fp16]
)");
  const CommandResult run = RunCarbonbench(RunSuite(suite));
  EXPECT_EQ(run.exit_code, 1) << run.output;
  ResultsStore store((root_ / "results.db").string());
  const auto runs = store.LoadRuns("failing");
  ASSERT_EQ(runs.size(), 2u);
  EXPECT_EQ(runs[0].status, "failed");
  EXPECT_NE(runs[0].failure_reason.find("fp16 needs a CUDA device"), std::string::npos);
  EXPECT_EQ(runs[1].status, "finished");
  const std::string report = ReadFile(root_ / "reports" / "failing.md");
  EXPECT_NE(report.find("fp16 needs a CUDA device"), std::string::npos) << report;
}

TEST_F(EndToEnd, ASuiteErrorRunsNothingAndNamesFileLineAndColumn) {
  const fs::path suite = WriteSuite("broken", "defaults:\n  model: cnn\n  eopchs: 3\n");
  const CommandResult run = RunCarbonbench(RunSuite(suite));
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.output.find(suite.string() + ":5:3: unknown setting 'eopchs' (did you mean "
                                             "'epochs'?)"),
            std::string::npos)
      << run.output;
  EXPECT_FALSE(fs::exists(root_ / "results.db"));
}

// `report FILE` reads only the suite's name from the file; text that is not
// YAML is named with its place, not as a bare parser message.
TEST_F(EndToEnd, ReportOfAFileThatIsNotASuiteNamesItsPlace) {
  const fs::path deep = root_ / "deep.yaml";
  std::ofstream(deep) << "suite: [" << std::string(20000, '[') << "\n";
  const CommandResult report = RunCarbonbench(Common() + " report " + deep.string());
  EXPECT_NE(report.exit_code, 0);
  EXPECT_NE(report.output.find(deep.string() + ":"), std::string::npos) << report.output;
  EXPECT_NE(report.output.find("nested thousands of levels deep"), std::string::npos)
      << report.output;
  const fs::path broken = root_ / "broken.yaml";
  std::ofstream(broken) << "suite: x\n  bad: [\n";
  const CommandResult second = RunCarbonbench(Common() + " report " + broken.string());
  EXPECT_NE(second.exit_code, 0);
  EXPECT_NE(second.output.find(broken.string() + ":"), std::string::npos) << second.output;
  EXPECT_NE(second.output.find("cannot read the suite's name"), std::string::npos) << second.output;
}

TEST_F(EndToEnd, AnUnknownRegionRunsNothing) {
  const fs::path suite = WriteSuite("region", "carbon: {region: XX-NOPE}\n");
  const CommandResult run = RunCarbonbench(RunSuite(suite));
  EXPECT_EQ(run.exit_code, 2) << run.output;
  EXPECT_NE(run.output.find(suite.string() + ": carbon: unknown region 'XX-NOPE'"),
            std::string::npos)
      << run.output;
  EXPECT_FALSE(fs::exists(root_ / "results.db"));
}

TEST_F(EndToEnd, TrainFlagErrorsNameTheSettingAndRunNothing) {
  const CommandResult run =
      RunCarbonbench(Common() + " train --model resnet --set epochs=0 --set threads=1e12");
  EXPECT_EQ(run.exit_code, 2) << run.output;
  EXPECT_NE(
      run.output.find("train: unknown model 'resnet' (did you mean 'resnet18'? known "
                      "models: bert, cnn, cnn1d, linear, mobilenet_v2, resnet18, torchscript)"),
      std::string::npos)
      << run.output;
  EXPECT_NE(run.output.find("train: epochs = 0 is below its minimum 1"), std::string::npos)
      << run.output;
  EXPECT_NE(run.output.find("train: threads must be an integer from 0 to 2147483647, got '1e12'"),
            std::string::npos)
      << run.output;
  EXPECT_FALSE(fs::exists(root_ / "results.db"));
}

// 2^31 epochs once wrapped to none run and 2^32 + 1 to one; each integer flag
// is refused as written, with its range, before anything runs.
TEST_F(EndToEnd, IntegerTrainFlagsOutsideTheirRangeAreRefusedAsWritten) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"--epochs 2147483648", "--epochs: epochs = 2147483648 is above its maximum 2147483647"},
      {"--epochs 4294967297", "--epochs: epochs = 4294967297 is above its maximum 2147483647"},
      {"--epochs 1e12", "--epochs: epochs must be an integer from 1 to 2147483647, got '1e12'"},
      {"--batch_size 0", "--batch_size: batch_size = 0 is below its minimum 1"},
      {"--train_size 3000000000",
       "--train_size: dataset.train_size = 3000000000 is above its maximum 2147483647"},
      {"--repetitions 1e3",
       "--repetitions: repetitions must be an integer from 1 to 1000000, got '1e3'"},
  };
  for (const auto& [flags, message] : cases) {
    const CommandResult run = RunCarbonbench(Common() + " train " + flags);
    EXPECT_NE(run.exit_code, 0) << flags << "\n" << run.output;
    EXPECT_NE(run.output.find(message), std::string::npos) << flags << "\n" << run.output;
  }
  EXPECT_FALSE(fs::exists(root_ / "results.db"));
}

TEST_F(EndToEnd, ASetValueYamlCannotReadNamesTheFlag) {
  const CommandResult unclosed = RunCarbonbench(Common() + " train --set 'epochs=[1'");
  EXPECT_NE(unclosed.exit_code, 0);
  EXPECT_NE(unclosed.output.find(
                "--set epochs=[1: the value is not valid YAML (end of sequence flow not found)"),
            std::string::npos)
      << unclosed.output;
  const CommandResult deep =
      RunCarbonbench(Common() + " train --set 'epochs=" + std::string(3000, '[') + "'");
  EXPECT_NE(deep.exit_code, 0);
  EXPECT_NE(deep.output.find("--set epochs=...: the value is nested too deep to be a setting"),
            std::string::npos)
      << deep.output;
  EXPECT_FALSE(fs::exists(root_ / "results.db"));
}

TEST_F(EndToEnd, AMissingDatasetSaysWhereItLookedAndHowToGetIt) {
  const fs::path suite = root_ / "nodata.yaml";
  std::ofstream(suite) << "suite: nodata\ndataset: {name: mnist, path: "
                       << (root_ / "none").string() << "}\ndefaults: {epochs: 1}\n";
  const CommandResult run = RunCarbonbench(RunSuite(suite));
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_NE(run.output.find((root_ / "none").string()), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("apt-get install dataset-fashion-mnist"), std::string::npos)
      << run.output;
}

TEST_F(EndToEnd, TrainRunsOneCellThroughTheSamePathAndReportRegenerates) {
  const CommandResult run =
      RunCarbonbench(Common() + " train --model cnn --dataset fashion_mnist --dataset_path " +
                     (root_ / "data").string() +
                     " --epochs 3 --batch_size 32 --lr 0.01 --fp16 --early_stop --target_acc 60 "
                     "--region IN-TN --threads 1 --set cnn.channels=4 --set cnn.hidden=16");
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_NE(run.output.find("IN-TN"), std::string::npos) << run.output;

  ResultsStore store((root_ / "results.db").string());
  const auto runs = store.LoadRuns("train");
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_EQ(runs[0].start.optimizations, "mixed_precision+early_stop");
  EXPECT_EQ(runs[0].start.region_used, "IND");
  // Without --models-dir the model goes beside the store, not under the
  // current folder.
  EXPECT_EQ(runs[0].summary.model_path.rfind((root_ / "models").string() + "/train/", 0), 0u)
      << runs[0].summary.model_path;
  EXPECT_TRUE(fs::exists(runs[0].summary.model_path)) << runs[0].summary.model_path;
  ASSERT_FALSE(runs[0].summary.warnings.empty());
  EXPECT_NE(runs[0].summary.warnings[0].find("IN-TN"), std::string::npos);
  EXPECT_NE(runs[0].summary.stop_reason.find("reached the target accuracy 60.0%"),
            std::string::npos);

  const fs::path report = root_ / "reports" / "train.md";
  const std::string written = ReadFile(report);
  fs::remove(report);
  const CommandResult regenerated =
      RunCarbonbench("report train " + Common());  // options may follow the command
  ASSERT_EQ(regenerated.exit_code, 0) << regenerated.output;
  EXPECT_EQ(ReadFile(report), written);
}

TEST_F(EndToEnd, TrainHelpListsModelsDirAndTheGoogleBenchmarkFlags) {
  const CommandResult help = RunCarbonbench(Common() + " train --help");
  ASSERT_EQ(help.exit_code, 0) << help.output;
  for (const char* flag :
       {"--models-dir", "--benchmark_out=FILE", "--benchmark_out_format", "--benchmark_filter"}) {
    EXPECT_NE(help.output.find(flag), std::string::npos) << flag << " in\n" << help.output;
  }
}

// The flags optimizations declare build the run the command line always
// built: the stored configuration is pinned (the dataset folder is missing,
// so the cell fails at once and is stored with it).
TEST_F(EndToEnd, TrainFlagsFromOptimizationsBuildThePinnedConfiguration) {
  const std::string missing = "/nonexistent/carbonbench-train-flags";
  const CommandResult run =
      RunCarbonbench(Common() +
                     " train --model resnet18 --dataset cifar10 --epochs 100 --batch_size 64 "
                     "--fp16 --early_stop --target_acc 85 --region IN-TN --dataset_path " +
                     missing);
  EXPECT_EQ(run.exit_code, 1) << run.output;
  ResultsStore store((root_ / "results.db").string());
  const auto runs = store.LoadRuns("train");
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_EQ(runs[0].start.optimizations, "mixed_precision+early_stop");
  EXPECT_EQ(
      runs[0].start.config_json,
      R"({"carbon":{"pue":null,"region":"IN-TN"},"meters":["rapl","nvml","cpu_estimate","ram_estimate"],)"
      R"("optimizations":["mixed_precision","early_stop"],"settings":{"batch_size":64,)"
      R"("cpu_estimate.tdp_w":0.0,"dataset":"cifar10","dataset.augment":false,"dataset.categories":"",)"
      R"("dataset.crop_padding_px":4,"dataset.horizon":1,"dataset.max_length":128,)"
      R"("dataset.normalize":true,"dataset.path":"/nonexistent/carbonbench-train-flags","dataset.test_fraction":0.2,)"
      R"("dataset.test_size":0,"dataset.train_size":0,"dataset.value_column":"","dataset.vocab":"",)"
      R"("dataset.vocab_size":8000,"dataset.window":52,"device":"auto","early_stop.min_delta":0.1,)"
      R"("early_stop.patience":3,"early_stop.target_acc":85.0,"early_stop.target_rmse":0.0,)"
      R"("early_stop.time_budget_s":0.0,"epochs":100,"lr":0.001,"mixed_precision.dtype":"auto",)"
      R"("mixed_precision.growth_interval":2000,"mixed_precision.loss_scale":65536.0,)"
      R"("model":"resnet18","momentum":0.9,"nvml.gpus":"auto","nvml.library":"libnvidia-ml.so.1",)"
      R"("optimizer":"adam","ram_estimate.powercap_root":"/sys/class/powercap","ram_estimate.ram_gb":0.0,)"
      R"("ram_estimate.tracking":"machine","ram_estimate.use_rapl_dram":true,)"
      R"("rapl.include_dram":true,"rapl.powercap_root":"/sys/class/powercap","resnet18.stem":"auto",)"
      R"("seed":42,"threads":0,"weight_decay":0.0}})");
  // Pinned: the hash the same command line gave before flags were declared.
  EXPECT_EQ(runs[0].start.config_hash, "065c2b8e99bb7a95");
}

// Text end to end: a class-per-folder corpus, bert-tiny from scratch, a
// vocabulary built from the training split and saved beside the model.
TEST_F(EndToEnd, TrainsBertTinyOnATextFolderAndSavesItsVocabulary) {
  const fs::path corpus = root_ / "corpus";
  WriteTwoTopicCorpus(corpus);
  const fs::path suite = root_ / "text.yaml";
  std::ofstream(suite)
      << "suite: text\n"
      << "dataset: {name: text_folder, path: " << corpus.string()
      << ", max_length: 16, test_fraction: 0.25}\n"
      << "defaults: {model: bert, epochs: 2, batch_size: 8, lr: 0.001, threads: 1}\n"
      << "carbon: {region: FR}\n";
  const CommandResult run = RunCarbonbench(RunSuite(suite));
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_NE(run.output.find("built one of"), std::string::npos) << run.output;

  ResultsStore store((root_ / "results.db").string());
  const auto runs = store.LoadRuns("text");
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_EQ(runs[0].status, "finished");
  EXPECT_EQ(runs[0].start.task, "classification");
  const std::string model_path = runs[0].summary.model_path;
  ASSERT_TRUE(fs::exists(model_path)) << model_path;
  const fs::path vocabulary = model_path.substr(0, model_path.size() - 3) + ".vocab.txt";
  ASSERT_TRUE(fs::exists(vocabulary)) << vocabulary;
  const std::string tokens = ReadFile(vocabulary);
  EXPECT_EQ(tokens.rfind("[PAD]\n", 0), 0u) << "[PAD] must be id 0";
  EXPECT_NE(tokens.find("\nrocket\n"), std::string::npos);
}

// Regression end to end: a CSV series with a gap, linear forecaster, RMSE in
// the store and the report.
TEST_F(EndToEnd, ForecastsACsvSeriesAndReportsRmse) {
  const fs::path csv = root_ / "series.csv";
  {
    std::ofstream out(csv);
    out << "date,value\n";
    for (int i = 0; i < 200; ++i) {
      out << 20000101 + i << ",";
      if (i != 50) out << 300.0 + 0.1 * i + (i % 4);
      out << "\n";
    }
  }
  const CommandResult run = RunCarbonbench(
      Common() + " train --model linear --dataset timeseries_csv --dataset_path " + csv.string() +
      " --set dataset.window=8 --epochs 3 --batch_size 16 --lr 0.01 --threads 1 --region FR");
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_NE(run.output.find("1 missing values of 200 filled"), std::string::npos) << run.output;

  ResultsStore store((root_ / "results.db").string());
  const auto runs = store.LoadRuns("train");
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_EQ(runs[0].start.task, "regression");
  EXPECT_GT(runs[0].summary.final_rmse, 0.0);
  EXPECT_LE(runs[0].summary.best_rmse, runs[0].summary.final_rmse);
  EXPECT_NE(ReadFile(root_ / "reports" / "train.md").find("RMSE"), std::string::npos);
}

// The figures torchvision publishes, through the command line.
TEST_F(EndToEnd, DescribePrintsTorchvisionsParameterAndMacCounts) {
  const CommandResult resnet = RunCarbonbench("describe resnet18 --input 3 224 224 --classes 1000");
  ASSERT_EQ(resnet.exit_code, 0) << resnet.output;
  EXPECT_NE(resnet.output.find("Total parameters: 11,689,512"), std::string::npos) << resnet.output;
  EXPECT_NE(resnet.output.find("Multiply-accumulates per sample: 1,814,073,344"), std::string::npos)
      << resnet.output;
  EXPECT_NE(resnet.output.find("layer4.1.conv2"), std::string::npos) << resnet.output;

  const CommandResult mobilenet =
      RunCarbonbench("describe mobilenet_v2 --input 3 224 224 --classes 1000");
  ASSERT_EQ(mobilenet.exit_code, 0) << mobilenet.output;
  EXPECT_NE(mobilenet.output.find("Total parameters: 3,504,872"), std::string::npos)
      << mobilenet.output;

  const CommandResult wrong = RunCarbonbench("describe bert --dataset fashion_mnist");
  EXPECT_NE(wrong.exit_code, 0);
  EXPECT_NE(wrong.output.find("bert cannot be built for dataset fashion_mnist"), std::string::npos)
      << wrong.output;
}

// A FIFO, or a symlink to /dev/zero, given as data fails the cell at once,
// naming what the path is; it neither waits for a writer nor reads until the
// memory limit ends the cell with advice to lower batch_size.
TEST_F(EndToEnd, ADataPathThatIsAFifoOrADeviceFailsTheCellNamingIt) {
  const fs::path fifo = root_ / "texts.csv";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  const fs::path zero = root_ / "series.csv";
  fs::create_symlink("/dev/zero", zero);
  const CommandResult from_fifo =
      RunCarbonbench(Common() + " train --model cnn --dataset text_csv --dataset_path " +
                     fifo.string() + " --epochs 1 --threads 1");
  EXPECT_NE(from_fifo.exit_code, 0);
  EXPECT_NE(from_fifo.output.find("CSV file " + fifo.string() + " is a FIFO, not a regular file"),
            std::string::npos)
      << from_fifo.output;
  const CommandResult from_device =
      RunCarbonbench(Common() + " train --model linear --dataset timeseries_csv --dataset_path " +
                     zero.string() + " --epochs 1 --threads 1");
  EXPECT_NE(from_device.exit_code, 0);
  EXPECT_NE(from_device.output.find(zero.string() + " is a character device, not a regular file"),
            std::string::npos)
      << from_device.output;
  for (const CommandResult* result : {&from_fifo, &from_device}) {
    EXPECT_EQ(result->output.find("lower batch_size"), std::string::npos) << result->output;
  }
}

// A sample too large to trace is refused before anything is allocated, and
// a layer libtorch cannot allocate gets its first line, not its stack.
TEST_F(EndToEnd, DescribeRefusesAHugeInputWithoutAStackTrace) {
  const CommandResult huge = RunCarbonbench("describe cnn --input 100000 100000 100000");
  EXPECT_NE(huge.exit_code, 0);
  EXPECT_NE(huge.output.find("--input 100000 100000 100000"), std::string::npos) << huge.output;
  EXPECT_NE(huge.output.find("the limit"), std::string::npos) << huge.output;
  EXPECT_EQ(huge.output.find("frame #"), std::string::npos) << huge.output;

  const CommandResult zero = RunCarbonbench("describe cnn --input 1 0 28");
  EXPECT_NE(zero.exit_code, 0);
  EXPECT_NE(zero.output.find("every size must be at least 1"), std::string::npos) << zero.output;

  // 10^11 classes: the output layer's weights cannot be allocated.
  const CommandResult huge_layer = RunCarbonbench("describe cnn --classes 100000000000");
  EXPECT_NE(huge_layer.exit_code, 0);
  EXPECT_NE(huge_layer.output.find("cnn cannot be built"), std::string::npos) << huge_layer.output;
  EXPECT_NE(huge_layer.output.find("can't allocate memory"), std::string::npos)
      << huge_layer.output;
  EXPECT_EQ(huge_layer.output.find("frame #"), std::string::npos) << huge_layer.output;
  EXPECT_EQ(huge_layer.output.find("Exception raised from"), std::string::npos)
      << huge_layer.output;
}

// Energy from a declared wattage, carbon from an explicit intensity and a
// cloud region's PUE: every figure follows from the inputs, and the exports
// (report section, CodeCarbon CSV) carry them.
TEST_F(EndToEnd, DeclaredPowerAndIntensityGiveTheStoredEnergyCarbonAndExports) {
  const CommandResult run = RunCarbonbench(
      Common() + " train --model cnn --dataset fashion_mnist --dataset_path " +
      (root_ / "data").string() +
      " --epochs 2 --batch_size 32 --threads 1 --set cnn.channels=4 --set cnn.hidden=16"
      " --meters constant --set constant.cpu_w=100 --region gcp:europe-west1 --intensity 500");
  ASSERT_EQ(run.exit_code, 0) << run.output;
  ResultsStore store((root_ / "results.db").string());
  const auto runs = store.LoadRuns("train");
  ASSERT_EQ(runs.size(), 1u);
  const RunRow& stored = runs[0];
  EXPECT_EQ(stored.start.intensity_g_per_kwh, 500);
  EXPECT_GT(stored.start.pue, 1.0);  // the provider's published PUE
  const auto carbon = ToJson(stored.start.carbon);
  EXPECT_EQ(carbon["cloud_provider"], "gcp");
  EXPECT_EQ(carbon["cloud_region"], "europe-west1");
  EXPECT_FALSE(carbon["pue_source"].get<std::string>().empty());
  // 100 W for (a little less than) the run's duration, the PUE on top.
  const double ceiling_wh = 100.0 * stored.summary.duration_s / 3600.0 * stored.start.pue;
  EXPECT_LE(stored.summary.energy_wh, ceiling_wh * 1.001);
  EXPECT_GE(stored.summary.energy_wh, ceiling_wh * 0.5);
  EXPECT_NEAR(stored.summary.co2_g, stored.summary.energy_wh * 0.5, 1e-9);
  EXPECT_EQ(stored.summary.energy_provenance, "estimated");  // declared, not measured
  // The meter's declared scope is stored with the run, for the export to read.
  const auto meters = ToJson(stored.start.meters);
  EXPECT_NE(meters.dump().find(R"("scope":"machine")"), std::string::npos) << meters.dump();

  const std::string csv = ReadFile(root_ / "reports" / "train.emissions.csv");
  EXPECT_EQ(csv.rfind("timestamp,project_name,run_id,experiment_id,duration,emissions,", 0), 0u)
      << csv;
  EXPECT_NE(csv.find(",gcp,europe-west1,"), std::string::npos) << csv;
  const std::string report = ReadFile(root_ / "reports" / "train.md");
  EXPECT_NE(report.find("## Where would this run be greener"), std::string::npos);
}

// An idle baseline measured before the first cell: with a declared 50 W the
// machine "idles" at 50 W, so the whole run is idle draw and nothing above.
TEST_F(EndToEnd, IdleBaselineIsStoredAndReportedAsEnergyAboveIdle) {
  const fs::path suite = WriteSuite("idle", R"(defaults:
  model: cnn
  epochs: 1
  batch_size: 64
  threads: 1
  cnn: {channels: 4, hidden: 16}
  constant: {cpu_w: 50}
meters: [constant]
sampler: {interval_ms: 20, idle_baseline_s: 0.3}
carbon: {region: SE3, compare_regions: [FR, aws:us-east-1]}
)");
  const CommandResult run = RunCarbonbench(RunSuite(suite));
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_NE(run.output.find("idle power: "), std::string::npos) << run.output;
  ResultsStore store((root_ / "results.db").string());
  const auto runs = store.LoadRuns("idle");
  ASSERT_EQ(runs.size(), 1u);
  const auto idle = ToJson(runs[0].start.idle);
  EXPECT_NEAR(idle["watts"]["cpu"].get<double>(), 50.0, 1.0);
  EXPECT_EQ(idle["provenance"]["cpu"], "estimated");
  const double idle_wh = runs[0].summary.idle_energy_wh;
  EXPECT_NEAR(idle_wh, 50.0 * runs[0].summary.duration_s / 3600.0, 0.02 * idle_wh);
  const std::string report = ReadFile(root_ / "reports" / "idle.md");
  EXPECT_NE(report.find("- Idle baseline: "), std::string::npos) << report;
  EXPECT_NE(report.find("Energy above idle"), std::string::npos) << report;
  EXPECT_NE(report.find("| aws:us-east-1 |"), std::string::npos) << report;
}

// `meters` explains each meter; a fake powercap tree stands in for RAPL.
TEST_F(EndToEnd, MetersDiagnosesEachMeterAndSaysWhatARunWouldUse) {
  const fs::path tree = root_ / "powercap";
  auto zone = [&](const std::string& path, const std::string& name, const std::string& uj) {
    fs::create_directories(tree / path);
    std::ofstream(tree / path / "name") << name << "\n";
    std::ofstream(tree / path / "energy_uj") << uj << "\n";
    std::ofstream(tree / path / "max_energy_range_uj") << "262143328850\n";
  };
  zone("intel-rapl:0", "package-0", "1000000");
  zone("intel-rapl:0/intel-rapl:0:0", "dram", "2000000");
  const CommandResult found = RunCarbonbench("meters --set rapl.powercap_root=" + tree.string());
  ASSERT_EQ(found.exit_code, 0) << found.output;
  EXPECT_NE(found.output.find("A run would use:"), std::string::npos) << found.output;
  EXPECT_NE(found.output.find("cpu  rapl (measured)"), std::string::npos) << found.output;
  EXPECT_NE(found.output.find("ram  rapl (measured)"), std::string::npos) << found.output;
  EXPECT_NE(found.output.find("nvml"), std::string::npos) << found.output;

  const CommandResult missing =
      RunCarbonbench("meters --set rapl.powercap_root=" + (root_ / "none").string());
  ASSERT_EQ(missing.exit_code, 0) << missing.output;
  EXPECT_NE(missing.output.find("rapl          not available: "), std::string::npos)
      << missing.output;
  EXPECT_NE(missing.output.find("cpu  cpu_estimate (estimated)"), std::string::npos)
      << missing.output;
}

}  // namespace
}  // namespace carbonbench::e2e
