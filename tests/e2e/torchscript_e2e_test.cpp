// A model written in Python, exported to TorchScript at test time by Debian's
// python3-torch (tools/export_torchscript.py; nothing binary is committed),
// trained, pruned, saved and served like a built-in one; and a file that is
// not TorchScript, or a module made for other data, refused naming both
// sides.
#include <map>
#include <regex>
#include <string>

#include <gtest/gtest.h>

#include "e2e_util.h"
#include "store/results_store.h"

namespace carbonbench::e2e {
namespace {

constexpr const char* kModels = R"(import torch
from torch import nn


class Small(nn.Module):
    def __init__(self, channels=1, classes=10):
        super().__init__()
        self.conv = nn.Conv2d(channels, 4, 3, padding=1)
        self.bn = nn.BatchNorm2d(4)
        self.fc = nn.Linear(4 * 6 * 6, classes)

    def forward(self, x):
        x = torch.max_pool2d(torch.relu(self.bn(self.conv(x))), 2)
        return self.fc(x.flatten(1))
)";

// "1,498": as describe prints counts.
std::string WithSeparators(long value) {
  std::string digits = std::to_string(value);
  for (int at = static_cast<int>(digits.size()) - 3; at > 0; at -= 3) digits.insert(at, ",");
  return digits;
}

class TorchScriptEndToEnd : public EndToEnd {
 protected:
  void SetUp() override {
    EndToEnd::SetUp();
    if (std::system("/usr/bin/python3 -c 'import torch' > /dev/null 2>&1") != 0) {
      GTEST_SKIP() << "python3-torch is not installed: `scripts/install_deps.sh --test`";
    }
    std::ofstream(root_ / "models.py") << kModels;
    // TorchScript files are code: carbonbench loads them only from folders
    // nobody else could change, as it loads plugins, so not from /tmp.
    models_ = fs::canonical("/proc/self/exe").parent_path() /
              ("torchscript_models_" + std::to_string(getpid()));
    fs::remove_all(models_);
    fs::create_directories(models_);
    fs::permissions(models_, fs::perms(0755));
  }
  void TearDown() override {
    fs::remove_all(models_);
    EndToEnd::TearDown();
  }

  // Exports Small with `arguments` for `shape`; returns the parameters the
  // exporter counted in the Python model.
  long Export(const std::string& out, const std::string& arguments, const std::string& shape,
              int classes) {
    const std::string command =
        "/usr/bin/python3 " + std::string(CARBONBENCH_TEST_SOURCE_DIR) +
        "/../../tools/export_torchscript.py --python " + (root_ / "models.py").string() +
        " --class Small --args '" + arguments + "' --input-shape " + shape + " --classes " +
        std::to_string(classes) + " --out " + (models_ / out).string() + " 2>&1";
    FILE* pipe = popen(command.c_str(), "r");
    std::string output;
    char buffer[512];
    while (std::fgets(buffer, sizeof(buffer), pipe)) output += buffer;
    EXPECT_EQ(pclose(pipe), 0) << output;
    std::smatch match;
    EXPECT_TRUE(std::regex_search(output, match, std::regex(R"((\d+) parameters)"))) << output;
    return match.empty() ? -1 : std::stol(match[1]);
  }

  // `describe` of a TorchScript file, for 1x12x12 inputs and 10 classes.
  CommandResult Describe(const fs::path& file) {
    return RunCarbonbench("describe torchscript --input 1 12 12 --classes 10 --set path=" +
                          file.string());
  }

  fs::path models_;
};

TEST_F(TorchScriptEndToEnd, TrainsPrunesSavesAndServesAPythonModelAsItsOwn) {
  const long python_parameters = Export("small.pt", "{}", "1 12 12", 10);
  // The suite names the file relative to itself.
  const fs::path suite = models_ / "scripted.yaml";
  std::ofstream(suite) << "suite: scripted\ndataset: {name: fashion_mnist, path: "
                       << (root_ / "data").string() << R"(}
defaults:
  model: torchscript
  torchscript.path: small.pt
  epochs: 3
  batch_size: 32
  lr: 0.01
  threads: 1
matrix:
  optimizations: [[], [pruning], [early_stop], [mixed_precision]]
inference: {batch_sizes: [1], min_time_s: 0.05, min_iterations: 5, warmup_iterations: 1}
)";
  const CommandResult run = RunCarbonbench(RunSuite(suite));
  ASSERT_EQ(run.exit_code, 0) << run.output;
  const auto runs = ResultsStore((root_ / "results.db").string()).LoadRuns("scripted");
  ASSERT_EQ(runs.size(), 4u);
  std::map<std::string, const RunRow*> by_optimizations;
  for (const RunRow& row : runs) {
    by_optimizations[row.start.optimizations] = &row;
    EXPECT_EQ(row.status, "finished") << row.start.cell_name << ": " << row.failure_reason;
    ASSERT_GE(row.epochs.size(), 2u) << row.start.cell_name;
    EXPECT_LT(row.epochs[1].train_loss, row.epochs[0].train_loss) << row.start.cell_name;
    // The run says what executed it, and which architecture the file declared.
    EXPECT_EQ(row.summary.runtime, "TorchScript");
    EXPECT_EQ(row.summary.architecture, "Small");
  }
  // Unstructured pruning reached the module's own weights.
  const RunRow& pruned = *by_optimizations.at("pruning");
  EXPECT_NEAR(pruned.summary.figures.measures.at("pruning.zero_weight_fraction"), 0.5, 0.05);
  // Autocast reaches inside the scripted module.
  EXPECT_EQ(by_optimizations.at("mixed_precision")->summary.compute_dtype, "bf16 autocast");
  EXPECT_EQ(by_optimizations.at("")->summary.compute_dtype, "fp32");
  // The file was stored absolute, found next to the suite.
  EXPECT_NE(by_optimizations.at("")->start.config_json.find((models_ / "small.pt").string()),
            std::string::npos);

  // describe counts the Python model's parameters.
  const CommandResult described = Describe(models_ / "small.pt");
  ASSERT_EQ(described.exit_code, 0) << described.output;
  EXPECT_NE(described.output.find("Total parameters: " + WithSeparators(python_parameters)),
            std::string::npos)
      << described.output;

  // The saved cell reloads, and infer finds the accuracy the run ended at.
  const RunRow& baseline = *by_optimizations.at("");
  const CommandResult infer =
      RunCarbonbench("infer --model-file " + baseline.summary.model_path + " --dataset-path " +
                     (root_ / "data").string() + " --batch-sizes 1 --min-time-s 0.05");
  ASSERT_EQ(infer.exit_code, 0) << infer.output;
  char accuracy[64];
  std::snprintf(accuracy, sizeof(accuracy), "test accuracy %.2f%%",
                100.0 * baseline.summary.final_accuracy);
  EXPECT_NE(infer.output.find(accuracy), std::string::npos) << infer.output;
}

TEST_F(TorchScriptEndToEnd, RefusesAFileThatIsNotTorchScriptOrAModuleMadeForOtherData) {
  std::ofstream(models_ / "notes.pt") << "not a model";
  const CommandResult not_script = Describe(models_ / "notes.pt");
  EXPECT_NE(not_script.exit_code, 0);
  EXPECT_NE(not_script.output.find("is not a TorchScript file"), std::string::npos)
      << not_script.output;
  EXPECT_EQ(not_script.output.find("frame #"), std::string::npos) << not_script.output;

  Export("colour.pt", R"({"channels": 3})", "3 12 12", 10);
  const CommandResult wrong_input = Describe(models_ / "colour.pt");
  EXPECT_NE(wrong_input.exit_code, 0);
  EXPECT_NE(wrong_input.output.find("cannot take a batch of {2, 1, 12, 12} float32"),
            std::string::npos)
      << wrong_input.output;
  EXPECT_NE(wrong_input.output.find("to have 3 channels"), std::string::npos) << wrong_input.output;

  Export("three.pt", R"({"classes": 3})", "1 12 12", 3);
  const CommandResult wrong_output = Describe(models_ / "three.pt");
  EXPECT_NE(wrong_output.exit_code, 0);
  EXPECT_NE(wrong_output.output.find("returns {2, 3}"), std::string::npos) << wrong_output.output;
  EXPECT_NE(wrong_output.output.find("needs {2, 10}"), std::string::npos) << wrong_output.output;
}

// The exported twin of a built-in model describes as the model itself:
// layer by layer, with the same parameters and multiply-accumulates.
TEST_F(TorchScriptEndToEnd, DescribesTheTwinOfABuiltInModelLayerByLayerAsTheModelItself) {
  const std::string command = "/usr/bin/python3 " + std::string(CARBONBENCH_TEST_SOURCE_DIR) +
                              "/../../tools/export_torchscript.py --builtin cnn --dataset "
                              "fashion_mnist --out " +
                              (models_ / "cnn.pt").string() + " > /dev/null 2>&1";
  ASSERT_EQ(std::system(command.c_str()), 0) << command;
  const CommandResult built_in = RunCarbonbench("describe cnn --input 1 28 28 --classes 10");
  const CommandResult twin =
      RunCarbonbench("describe torchscript --input 1 28 28 --classes 10 --set path=" +
                     (models_ / "cnn.pt").string());
  ASSERT_EQ(built_in.exit_code, 0) << built_in.output;
  ASSERT_EQ(twin.exit_code, 0) << twin.output;
  auto line = [](const std::string& text, const std::string& start) {
    const std::size_t at = text.find(start);
    return at == std::string::npos ? std::string("(none)")
                                   : text.substr(at, text.find('\n', at) - at);
  };
  for (const char* start : {"Total parameters:", "Multiply-accumulates per sample:"}) {
    EXPECT_EQ(line(twin.output, start), line(built_in.output, start)) << twin.output;
  }
  // Each layer is its own row, named as in the Python model's state_dict.
  EXPECT_NE(twin.output.find("Conv2d"), std::string::npos) << twin.output;
  EXPECT_NE(twin.output.find("BatchNorm2d"), std::string::npos) << twin.output;
  EXPECT_NE(twin.output.find("Linear"), std::string::npos) << twin.output;
}

// Checkpointing, structured pruning and quantization need structure a
// TorchScript file does not declare: refused before any cell runs, each
// with the reason. A file others could change, or one in /tmp, is refused
// as a plugin would be.
TEST_F(TorchScriptEndToEnd, RefusesWhatAFileCannotDoAndFilesOthersCouldChange) {
  Export("small.pt", "{}", "1 12 12", 10);
  const fs::path suite = WriteSuite("refused", R"(defaults:
  model: torchscript
  torchscript.path: )" + (models_ / "small.pt").string() +
                                                   R"(
  epochs: 1
  pruning.method: structured
matrix:
  optimizations: [[checkpointing], [pruning], [quantization]]
)");
  const CommandResult refused = RunCarbonbench(RunSuite(suite));
  EXPECT_NE(refused.exit_code, 0);
  for (const std::string expected :
       {"optimization 'checkpointing' needs repeated blocks declared in the model's code, and "
        "model 'torchscript' has none: a TorchScript file declares no blocks",
        "optimization 'pruning' with method structured needs channel structure (prunable layers) "
        "declared in the model's code, and model 'torchscript' has none",
        "optimization 'quantization' needs linear layers built as QuantizableLinear, and model "
        "'torchscript' has none: libtorch's C++ API cannot quantize a loaded TorchScript "
        "module's linear layers"}) {
    EXPECT_NE(refused.output.find(expected), std::string::npos) << refused.output;
  }
  EXPECT_FALSE(fs::exists(root_ / "results.db")) << "nothing ran, so nothing was stored";

  fs::permissions(models_ / "small.pt", fs::perms(0666));
  const CommandResult writable = Describe(models_ / "small.pt");
  EXPECT_NE(writable.exit_code, 0);
  EXPECT_NE(writable.output.find("is writable by group or others (mode 666"), std::string::npos)
      << writable.output;
  fs::permissions(models_ / "small.pt", fs::perms(0644));

  fs::copy_file(models_ / "small.pt", root_ / "small.pt");
  const CommandResult in_tmp = Describe(root_ / "small.pt");
  EXPECT_NE(in_tmp.exit_code, 0);
  EXPECT_NE(in_tmp.output.find("is a shared folder anyone can create names in"), std::string::npos)
      << in_tmp.output;
}

}  // namespace
}  // namespace carbonbench::e2e
