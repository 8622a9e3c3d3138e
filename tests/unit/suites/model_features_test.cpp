// What a suite may ask of a model loaded from a file: optimizations that need
// structure it cannot declare are refused at validation, naming both; its
// file is found next to the suite, stored absolute, and refused when missing
// or when someone other than its owner could have changed it.
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "suites/suite.h"

namespace carbonbench {
namespace {

namespace fs = std::filesystem;
using Strings = std::vector<std::string>;

PluginCatalog FeatureCatalog() {
  PluginCatalogEntry scripted{
      "scripted", PluginKind::kModel, {CodeFileParam("path", "the module")}, {}};
  scripted.missing_features = {{ModelFeature::kRepeatedBlocks, "it declares no blocks"},
                               {ModelFeature::kPrunableLayers, "it declares no channels"}};
  PluginCatalogEntry checkpointing{"checkpointing", PluginKind::kOptimization, {}, {}};
  checkpointing.declaration.needs = {{ModelFeature::kRepeatedBlocks}};
  PluginCatalogEntry pruning{
      "pruning",
      PluginKind::kOptimization,
      {EnumParam("method", "unstructured", {"unstructured", "structured"}, "how")},
      {}};
  pruning.declaration.needs = {{ModelFeature::kPrunableLayers, "method", "structured"}};
  PluginCatalogEntry built_in{"cnn", PluginKind::kModel, {}, {}};
  PluginCatalogEntry meter{"meter", PluginKind::kMeter, {}, {}};
  meter.meter_traits.default_on = true;
  return {scripted, checkpointing, pruning, built_in, meter};
}

std::vector<std::string> ErrorsOf(const std::string& yaml, const std::string& source) {
  try {
    LoadSuiteText(yaml, source, FeatureCatalog());
  } catch (const SuiteError& e) {
    return e.messages();
  }
  ADD_FAILURE() << "expected a SuiteError for:\n" << yaml;
  return {};
}

// A folder the ownership rule trusts: inside the build tree, as the
// plugins the tests load are (a folder under /tmp is refused, as it must be).
class CodeFolder : public ::testing::Test {
 protected:
  void SetUp() override {
    const fs::path build = fs::canonical("/proc/self/exe").parent_path();
    dir_ = build / ("model_features_" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "models");
    fs::permissions(dir_, fs::perms(0755));
    fs::permissions(dir_ / "models", fs::perms(0755));
    for (const char* name : {"net.pt", "other.pt"}) {
      std::ofstream(dir_ / "models" / name) << "module";
      fs::permissions(dir_ / "models" / name, fs::perms(0644));
    }
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string SuitePath() const { return (dir_ / "suite.yaml").string(); }

  fs::path dir_;
};

TEST(ModelFeatures, AnOptimizationNeedingStructureTheModelLacksIsRefusedNamingBoth) {
  const Strings errors = ErrorsOf(R"(suite: q
defaults: {model: scripted}
matrix:
  optimizations: [[], [checkpointing]]
)",
                                  "q.yaml");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0],
            "q.yaml:3:1: optimization 'checkpointing' needs repeated blocks declared in the "
            "model's code, and model 'scripted' has none: it declares no blocks; leave "
            "'checkpointing' out of its cells");
}

TEST(ModelFeatures, ANeedTiedToAParameterValueRefusesOnlyThatValue) {
  const Strings errors = ErrorsOf(R"(suite: q
defaults: {model: scripted, optimizations: [pruning]}
matrix:
  pruning.method: [unstructured, structured]
)",
                                  "q.yaml");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0].find("optimization 'pruning' with method structured needs channel "
                           "structure (prunable layers) declared in the model's code, and model "
                           "'scripted' has none: it declares no channels"),
            std::string::npos)
      << errors[0];
  // Unstructured pruning, and the same optimizations on a model that
  // declares its structure, are accepted.
  const Suite unstructured =
      LoadSuiteText("suite: q\ndefaults: {model: scripted, optimizations: [pruning]}\n", "q.yaml",
                    FeatureCatalog());
  EXPECT_EQ(unstructured.cells.size(), 1u);
  const Suite built_in = LoadSuiteText(R"(suite: q
defaults: {model: cnn, pruning.method: structured}
matrix:
  optimizations: [[checkpointing], [pruning]]
)",
                                       "q.yaml", FeatureCatalog());
  EXPECT_EQ(built_in.cells.size(), 2u);
}

TEST_F(CodeFolder, ACodeFileIsFoundNextToTheSuiteAndStoredAbsolute) {
  const Suite suite = LoadSuiteText(R"(suite: q
defaults: {model: scripted}
matrix:
  scripted.path: [./models/../models/net.pt, models/other.pt]
)",
                                    SuitePath(), FeatureCatalog());
  ASSERT_EQ(suite.cells.size(), 2u);
  const Cell cell = suite.cells.at(0);
  EXPECT_EQ(std::get<std::string>(cell.settings.at("scripted.path")),
            (dir_ / "models" / "net.pt").string());
  // Cells are named by the file, not its whole path.
  EXPECT_EQ(cell.name, "scripted/baseline/scripted.path=net.pt");
  // Two spellings of one file are one value.
  const Strings twice = ErrorsOf(
      "suite: q\ndefaults: {model: scripted}\nmatrix:\n  scripted.path: [models/net.pt, "
      "./models/net.pt]\n",
      SuitePath());
  ASSERT_EQ(twice.size(), 1u);
  EXPECT_NE(twice[0].find("lists " + (dir_ / "models" / "net.pt").string() + " twice"),
            std::string::npos)
      << twice[0];
}

// The file's content is part of the cell: a module re-exported to the same
// path is a new cell, not one a resumed suite may skip.
TEST_F(CodeFolder, ACodeFileChangedInPlaceMakesAnotherCell) {
  const std::string yaml = "suite: q\ndefaults: {model: scripted, scripted.path: models/net.pt}\n";
  const Cell before = LoadSuiteText(yaml, SuitePath(), FeatureCatalog()).cells.at(0);
  EXPECT_NE(before.config_json.find("\"code_files\":{\"scripted.path\":\""), std::string::npos)
      << before.config_json;
  EXPECT_EQ(LoadSuiteText(yaml, SuitePath(), FeatureCatalog()).cells.at(0).config_hash,
            before.config_hash);
  std::ofstream(dir_ / "models" / "net.pt") << "another module";
  EXPECT_NE(LoadSuiteText(yaml, SuitePath(), FeatureCatalog()).cells.at(0).config_hash,
            before.config_hash);
  // A model without a code file keeps the configuration it always had.
  const Cell built_in =
      LoadSuiteText("suite: q\ndefaults: {model: cnn}\n", SuitePath(), FeatureCatalog())
          .cells.at(0);
  EXPECT_EQ(built_in.config_json.find("code_files"), std::string::npos);
}

TEST_F(CodeFolder, AMissingCodeFileIsRefusedAtItsLineSayingWhereItWasSought) {
  const Strings errors =
      ErrorsOf("suite: q\ndefaults: {model: scripted, scripted.path: gone.pt}\n", SuitePath());
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0], SuitePath() + ":2:44: scripted.path: " + (dir_ / "gone.pt").string() +
                           ": no such file (a relative path is taken from the suite file's "
                           "folder, " +
                           dir_.string() + ")");
}

TEST_F(CodeFolder, ACodeFileOthersCouldChangeIsRefused) {
  const std::string yaml = "suite: q\ndefaults: {model: scripted, scripted.path: models/net.pt}\n";
  fs::permissions(dir_ / "models" / "net.pt", fs::perms(0666));
  Strings errors = ErrorsOf(yaml, SuitePath());
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0].find("scripted.path names a file of code"), std::string::npos) << errors[0];
  EXPECT_NE(errors[0].find("the file " + (dir_ / "models" / "net.pt").string() +
                           " is writable by group or others (mode 666"),
            std::string::npos)
      << errors[0];

  fs::permissions(dir_ / "models" / "net.pt", fs::perms(0644));
  fs::permissions(dir_ / "models", fs::perms(0777));
  errors = ErrorsOf(yaml, SuitePath());
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0].find("folder " + (dir_ / "models").string() +
                           " is writable by group or others (mode 777"),
            std::string::npos)
      << errors[0];
  fs::permissions(dir_ / "models", fs::perms(0755));
  EXPECT_EQ(LoadSuiteText(yaml, SuitePath(), FeatureCatalog()).cells.size(), 1u);
}

}  // namespace
}  // namespace carbonbench
