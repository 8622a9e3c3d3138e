// Cells: defaults, normalization, names, config JSON and hash.
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "suites/config_hash.h"
#include "suites/yaml_scalar.h"
#include "unit/suites/suite_test_support.h"

namespace carbonbench {
namespace {

using testing_support::CellNames;
using testing_support::Load;
using Strings = std::vector<std::string>;

TEST(CellsTest, MinimalSuiteFillsEveryDefault) {
  const Suite suite = Load("suite: s\n");
  EXPECT_EQ(suite.name, "s");
  EXPECT_EQ(suite.source, "quickstart.yaml");
  EXPECT_EQ(suite.repetitions, 1);
  EXPECT_EQ(suite.carbon.region, "WORLD");
  EXPECT_FALSE(suite.carbon.pue.has_value());  // 1.0, or the cloud provider's
  EXPECT_EQ(suite.meters, Strings{"cpu_estimate"});
  ASSERT_EQ(suite.cells.size(), 1u);
  const Cell& cell = suite.cells[0];
  EXPECT_EQ(cell.name, "cnn/baseline");
  EXPECT_TRUE(cell.optimizations.empty());
  const std::map<std::string, ParamValue> expected = {
      {"model", std::string("cnn")},
      {"epochs", std::int64_t{5}},
      {"batch_size", std::int64_t{64}},
      {"lr", 0.001},
      {"optimizer", std::string("adam")},
      {"momentum", 0.9},
      {"weight_decay", 0.0},
      {"nesterov", false},
      {"lr_schedule", std::string("constant")},
      {"warmup_epochs", std::int64_t{0}},
      {"lr_step_epochs", std::int64_t{10}},
      {"lr_gamma", 0.1},
      {"label_smoothing", 0.0},
      {"grad_accumulation", std::int64_t{1}},
      {"eval_batch_size", std::int64_t{0}},
      {"seed", std::int64_t{42}},
      {"threads", std::int64_t{0}},
      {"allocator", std::string("auto")},
      {"malloc_tuning", true},
      {"flush_denormal", true},
      {"channels_last", true},
      {"device", std::string("auto")},
      {"dataset", std::string("fashion_mnist")},
      {"dataset.path", std::string("")},
      {"dataset.train_size", std::int64_t{0}},
      {"dataset.test_size", std::int64_t{0}},
      {"dataset.test_fraction", 0.2},
      {"dataset.augment", false},
      {"dataset.crop_padding_px", std::int64_t{4}},
      {"dataset.normalize", true},
      {"dataset.max_length", std::int64_t{128}},
      {"dataset.vocab", std::string("")},
      {"dataset.vocab_size", std::int64_t{8000}},
      {"dataset.categories", std::string("")},
      {"dataset.window", std::int64_t{52}},
      {"dataset.horizon", std::int64_t{1}},
      {"dataset.value_column", std::string("")},
      {"cnn.channels", std::int64_t{32}},
      {"cpu_estimate.tdp_w", 65.0},
  };
  EXPECT_EQ(cell.settings, expected);
}

TEST(CellsTest, SuiteLevelFieldsAreRead) {
  const Suite suite = Load(R"(suite: quick-start_2
description: "A first look"
repetitions: 3
carbon: {region: NO, pue: 2}
meters: [cpu_estimate]
)");
  EXPECT_EQ(suite.description, "A first look");
  EXPECT_EQ(suite.repetitions, 3);
  EXPECT_EQ(suite.carbon.region, "NO");  // Norway, not YAML 1.1's false
  EXPECT_EQ(suite.carbon.pue, 2.0);
}

TEST(CellsTest, CarbonAndSamplerSettingsAreRead) {
  const Suite suite = Load(R"(suite: s
carbon:
  region: gcp:europe-west1
  intensity_g_per_kwh: 120
  intensity_csv: hourly.csv
  compare_regions: [FR, aws:us-east-1]
sampler: {interval_ms: 50, idle_baseline_s: 2.5}
)");
  EXPECT_EQ(suite.carbon.region, "gcp:europe-west1");
  EXPECT_FALSE(suite.carbon.pue.has_value());
  EXPECT_EQ(suite.carbon.intensity_g_per_kwh, 120.0);
  EXPECT_EQ(suite.carbon.intensity_csv, "hourly.csv");
  EXPECT_EQ(suite.carbon.compare_regions, (Strings{"FR", "aws:us-east-1"}));
  EXPECT_EQ(suite.sampler.interval_ms, 50);
  EXPECT_EQ(suite.sampler.idle_baseline_s, 2.5);
  const std::string& config = suite.cells.at(0).config_json;
  EXPECT_NE(config.find(R"("carbon":{"intensity_csv":"hourly.csv",)"
                        R"("intensity_g_per_kwh":120.0,"pue":null,)"
                        R"("region":"gcp:europe-west1"})"),
            std::string::npos)
      << config;
}

TEST(CellsTest, ComparedRegionsAndSamplingDoNotChangeTheConfigHash) {
  const std::string plain = Load("suite: s\n").cells.at(0).config_hash;
  EXPECT_EQ(Load("suite: s\ncarbon: {compare_regions: [FR]}\n"
                 "sampler: {interval_ms: 20, idle_baseline_s: 1}\n")
                .cells.at(0)
                .config_hash,
            plain);
  EXPECT_NE(Load("suite: s\ncarbon: {pue: 1.0}\n").cells.at(0).config_hash, plain);
}

TEST(CellsTest, LimitsAndInferenceAreReadAndChangeNoConfigHash) {
  const Suite defaults = Load("suite: s\n");
  EXPECT_EQ(defaults.limits.cell_timeout_s, 86400.0);
  EXPECT_EQ(defaults.limits.cell_memory_mb, 0);
  EXPECT_TRUE(defaults.inference.enabled);
  EXPECT_EQ(defaults.inference.batch_sizes, (std::vector<std::int64_t>{1, 64}));
  const Suite suite = Load(
      "suite: s\nlimits: {cell_timeout_s: 600, cell_memory_mb: 4000}\n"
      "inference: {batch_sizes: [1, 8, 256], warmup_iterations: 5, min_time_s: 2, "
      "min_iterations: 20}\n");
  EXPECT_EQ(suite.limits.cell_timeout_s, 600.0);
  EXPECT_EQ(suite.limits.cell_memory_mb, 4000);
  EXPECT_EQ(suite.inference.batch_sizes, (std::vector<std::int64_t>{1, 8, 256}));
  EXPECT_EQ(suite.inference.warmup_iterations, 5);
  EXPECT_EQ(suite.inference.min_time_s, 2.0);
  EXPECT_EQ(suite.inference.min_iterations, 20);
  EXPECT_EQ(suite.cells.at(0).config_hash, defaults.cells.at(0).config_hash);
  EXPECT_FALSE(Load("suite: s\ninference: {enabled: false}\n").inference.enabled);
  // The child process of a cell reads the very same text.
  EXPECT_EQ(defaults.text, "suite: s\n");
  EXPECT_FALSE(defaults.generated);
}

TEST(CellsTest, OptimizationParamsAreFilledOnlyForUsedPlugins) {
  const Suite suite = Load(R"(suite: s
defaults:
  optimizations: early_stop
  mixed_precision.dtype: bf16
)");
  const Cell& cell = suite.cells[0];
  EXPECT_EQ(cell.optimizations, Strings{"early_stop"});
  EXPECT_EQ(std::get<std::int64_t>(cell.Get("early_stop.patience")), 3);
  EXPECT_EQ(std::get<double>(cell.Get("early_stop.target_acc")), 0.0);
  EXPECT_EQ(cell.settings.count("mixed_precision.dtype"), 0u);
}

TEST(CellsTest, IntegersForFloatsBecomeDoubles) {
  const Suite suite = Load(R"(suite: s
defaults: {lr: 1, cpu_estimate.tdp_w: 100, early_stop.target_acc: 90,
           optimizations: [early_stop]}
)");
  const Cell& cell = suite.cells[0];
  EXPECT_EQ(std::get<double>(cell.Get("lr")), 1.0);
  EXPECT_EQ(std::get<double>(cell.Get("cpu_estimate.tdp_w")), 100.0);
  EXPECT_EQ(std::get<double>(cell.Get("early_stop.target_acc")), 90.0);
  EXPECT_EQ(cell.config_hash, Load("suite: s\ndefaults: {lr: 1.0, cpu_estimate.tdp_w: 100.0, "
                                   "early_stop.target_acc: 90.0, optimizations: [early_stop]}\n")
                                  .cells[0]
                                  .config_hash);
}

TEST(CellsTest, NestedAndDottedPluginParamsAreEquivalent) {
  const Suite nested = Load(R"(suite: s
defaults:
  optimizations: [mixed_precision, early_stop]
  early_stop: {patience: 7, target_acc: 88.5}
  mixed_precision:
    dtype: fp16
)");
  const Suite dotted = Load(R"(suite: s
defaults:
  mixed_precision.dtype: fp16
  early_stop.target_acc: 88.5
  early_stop.patience: 7
  optimizations: mixed_precision+early_stop
)");
  EXPECT_EQ(nested.cells[0].settings, dotted.cells[0].settings);
  EXPECT_EQ(nested.cells[0].config_json, dotted.cells[0].config_json);
  EXPECT_EQ(nested.cells[0].name, "cnn/mixed_precision+early_stop");
  const auto params = nested.cells[0].PluginParams("early_stop");
  ASSERT_EQ(params.size(), 2u);
  EXPECT_EQ(std::get<std::int64_t>(params.at("patience")), 7);
  EXPECT_EQ(std::get<double>(params.at("target_acc")), 88.5);
}

TEST(CellsTest, DatasetMapFillsDatasetSettings) {
  const Suite suite = Load(R"(suite: s
dataset: {name: mnist, path: /data/mnist, train_size: 1000}
)");
  const Cell& cell = suite.cells[0];
  EXPECT_EQ(std::get<std::string>(cell.Get("dataset")), "mnist");
  EXPECT_EQ(std::get<std::string>(cell.Get("dataset.path")), "/data/mnist");
  EXPECT_EQ(std::get<std::int64_t>(cell.Get("dataset.train_size")), 1000);
  EXPECT_EQ(std::get<std::int64_t>(cell.Get("dataset.test_size")), 0);
  EXPECT_EQ(std::get<std::string>(Load("suite: s\ndataset: kmnist\n").cells[0].Get("dataset")),
            "kmnist");
}

// Defaults override the top-level dataset: `carbonbench train --set
// dataset.train_size=...` relies on it.
TEST(CellsTest, DefaultsOverrideTheDatasetMap) {
  const Cell cell = Load(R"(suite: s
dataset: {name: mnist, train_size: 1000}
defaults: {dataset.train_size: 50}
matrix: {dataset: [kmnist]}
)")
                        .cells[0];
  EXPECT_EQ(std::get<std::int64_t>(cell.Get("dataset.train_size")), 50);
  EXPECT_EQ(std::get<std::string>(cell.Get("dataset")), "kmnist");
}

TEST(CellsTest, NameListsOnlyMatrixKeysThatVary) {
  const Suite suite = Load(R"(suite: s
defaults: {epochs: 3}
matrix:
  optimizations: [[mixed_precision, early_stop]]
  lr: [0.001, 0.01]
  seed: [1]
)");
  EXPECT_EQ(CellNames(suite), (Strings{"cnn/mixed_precision+early_stop/lr=0.001",
                                       "cnn/mixed_precision+early_stop/lr=0.01"}));
}

TEST(CellsTest, GetThrowsOutOfRangeNamingTheKey) {
  const Cell cell = Load("suite: s\n").cells[0];
  try {
    cell.Get("eopchs");
    FAIL() << "no exception";
  } catch (const std::out_of_range& e) {
    EXPECT_NE(std::string(e.what()).find("'eopchs'"), std::string::npos);
  }
}

TEST(CellsTest, PluginParamsStripThePrefixAndOnlyThatPlugin) {
  const Cell cell = Load("suite: s\ndefaults: {cnn.channels: 16}\n").cells[0];
  const auto params = cell.PluginParams("cnn");
  ASSERT_EQ(params.size(), 1u);
  EXPECT_EQ(std::get<std::int64_t>(params.at("channels")), 16);
  EXPECT_TRUE(cell.PluginParams("cn").empty());
  EXPECT_TRUE(cell.PluginParams("early_stop").empty());
}

TEST(ScalarTest, PlainScalarsFollowYamlCoreSchema) {
  using suite_internal::ParseScalarText;
  EXPECT_EQ(ParseScalarText("true"), ParamValue(true));
  EXPECT_EQ(ParseScalarText("False"), ParamValue(false));
  EXPECT_EQ(ParseScalarText("-12"), ParamValue(std::int64_t{-12}));
  EXPECT_EQ(ParseScalarText("0.5"), ParamValue(0.5));
  EXPECT_EQ(ParseScalarText("1e-3"), ParamValue(0.001));
  EXPECT_EQ(ParseScalarText("NO"), ParamValue(std::string("NO")));
  EXPECT_EQ(ParseScalarText("1.2.3"), ParamValue(std::string("1.2.3")));
  EXPECT_TRUE(std::isinf(std::get<double>(ParseScalarText(".inf"))));
  // A quoted number stays text.
  EXPECT_EQ(std::get<std::string>(Load("suite: s\ndataset: \"5\"\n").cells[0].Get("dataset")), "5");
}

TEST(ConfigHashTest, Fnv1a64MatchesReferenceVectors) {
  using suite_internal::Fnv1a64Hex;
  EXPECT_EQ(Fnv1a64Hex(""), "cbf29ce484222325");
  EXPECT_EQ(Fnv1a64Hex("a"), "af63dc4c8601ec8c");
  EXPECT_EQ(Fnv1a64Hex("foobar"), "85944171f73967e8");
}

TEST(ConfigHashTest, ConfigJsonIsCanonicalAndHashIsPinned) {
  const Cell cell = Load("suite: s\n").cells[0];
  EXPECT_EQ(cell.config_json,
            R"({"carbon":{"pue":null,"region":"WORLD"},"meters":["cpu_estimate"],)"
            R"("optimizations":[],"settings":{"batch_size":64,"cnn.channels":32,)"
            R"("cpu_estimate.tdp_w":65.0,"dataset":"fashion_mnist","dataset.augment":false,)"
            R"("dataset.categories":"","dataset.crop_padding_px":4,"dataset.horizon":1,)"
            R"("dataset.max_length":128,"dataset.normalize":true,"dataset.path":"",)"
            R"("dataset.test_fraction":0.2,"dataset.test_size":0,"dataset.train_size":0,)"
            R"("dataset.value_column":"","dataset.vocab":"","dataset.vocab_size":8000,)"
            R"("dataset.window":52,"device":"auto",)"
            R"("epochs":5,"lr":0.001,"model":"cnn","momentum":0.9,"optimizer":"adam",)"
            R"("seed":42,"threads":0,"weight_decay":0.0}})");
  EXPECT_EQ(cell.config_hash, suite_internal::Fnv1a64Hex(cell.config_json));
  // Pinned: the store finds finished cells by this value across versions.
  EXPECT_EQ(cell.config_hash, "2ec2ff31e95ac6bf");
}

// The knobs added after stores existed leave the pinned hash alone at their
// defaults, and enter the configuration, as any setting, when changed.
TEST(ConfigHashTest, LaterTrainingKnobsEnterTheConfigOnlyAwayFromTheirDefaults) {
  const Cell plain = Load("suite: s\n").cells[0];
  EXPECT_EQ(plain.config_json.find("lr_schedule"), std::string::npos);
  EXPECT_EQ(plain.config_json.find("grad_accumulation"), std::string::npos);
  const Cell same =
      Load(
          "suite: s\ndefaults: {lr_schedule: constant, grad_accumulation: 1, label_smoothing: 0}\n")
          .cells[0];
  EXPECT_EQ(same.config_hash, plain.config_hash);
  for (const char* knob : {"lr_schedule: cosine", "nesterov: true", "warmup_epochs: 1",
                           "lr_step_epochs: 3", "lr_gamma: 0.5", "label_smoothing: 0.1",
                           "grad_accumulation: 4", "eval_batch_size: 256", "allocator: glibc"}) {
    const Cell changed = Load(std::string("suite: s\ndefaults: {") + knob + "}\n").cells[0];
    EXPECT_NE(changed.config_hash, plain.config_hash) << knob;
    const std::string key = std::string(knob).substr(0, std::string(knob).find(':'));
    EXPECT_NE(changed.config_json.find("\"" + key + "\""), std::string::npos) << knob;
  }
}

TEST(ConfigHashTest, HashIgnoresYamlOrderAndNameButTracksValues) {
  const std::string base = Load(R"(suite: a
defaults: {epochs: 2, lr: 0.01}
)")
                               .cells[0]
                               .config_hash;
  EXPECT_EQ(base, Load("suite: b\ndefaults: {lr: 0.01, epochs: 2}\n").cells[0].config_hash);
  const Strings changed = {
      "suite: a\ndefaults: {epochs: 2, lr: 0.02}\n",
      "suite: a\ndefaults: {epochs: 3, lr: 0.01}\n",
      "suite: a\ndefaults: {epochs: 2, lr: 0.01, optimizations: "
      "[early_stop]}\n",
      "suite: a\ndefaults: {epochs: 2, lr: 0.01}\ncarbon: {pue: 1.5}\n",
      "suite: a\ndefaults: {epochs: 2, lr: 0.01}\ncarbon: {region: FR}\n",
  };
  for (const auto& yaml : changed) EXPECT_NE(base, Load(yaml).cells[0].config_hash) << yaml;
}

TEST(LoadSuiteFileTest, ReadsAFileAndNamesItInErrors) {
  const std::string dir = ::testing::TempDir() + "/suites_test_dir";
  std::filesystem::create_directories(dir);
  const std::string path = dir + "/ok.yaml";
  std::ofstream(path) << "suite: from_file\n";
  const Suite suite = LoadSuiteFile(path, testing_support::TestCatalog());
  EXPECT_EQ(suite.name, "from_file");
  EXPECT_EQ(suite.source, path);

  const std::string bad = dir + "/bad.yaml";
  std::ofstream(bad) << "suite: x\nrepetitions: 0\n";
  try {
    LoadSuiteFile(bad, testing_support::TestCatalog());
    FAIL() << "no exception";
  } catch (const SuiteError& e) {
    EXPECT_EQ(std::string(e.what()), bad + ":2:14: repetitions = 0 is below its minimum 1");
  }
}

// A catalog whose stopping rule declares its target and a parameter added
// after stores existed (`max_wh`); without `max_wh` it is the older plugin.
PluginCatalog DeclaringCatalog(bool with_later_param) {
  PluginCatalog catalog = testing_support::TestCatalog();
  for (auto& entry : catalog) {
    if (entry.name != "early_stop") continue;
    entry.declaration.stopping_rule = true;
    entry.declaration.target_accuracy_param = "target_acc";
    if (with_later_param) {
      entry.params.push_back(FloatParam("max_wh", 0.0, "energy budget", 0.0, 1e9));
      entry.declaration.params_added_later = {"max_wh"};
    }
  }
  return catalog;
}

TEST(ConfigHashTest, ParamsDeclaredAddedLaterLeaveTheHashAsItWasAtTheirDefault) {
  const std::string yaml = "suite: s\ndefaults: {optimizations: [early_stop]}\n";
  const PluginCatalog older = DeclaringCatalog(false);
  const PluginCatalog newer = DeclaringCatalog(true);
  const Cell before = LoadSuiteText(yaml, "s.yaml", older).cells.at(0);
  const Cell after = LoadSuiteText(yaml, "s.yaml", newer).cells.at(0);
  EXPECT_EQ(after.config_hash, before.config_hash);
  EXPECT_EQ(after.config_json, before.config_json);
  const Cell budgeted =
      LoadSuiteText("suite: s\ndefaults: {optimizations: [early_stop], early_stop.max_wh: 2}\n",
                    "s.yaml", newer)
          .cells.at(0);
  EXPECT_NE(budgeted.config_hash, before.config_hash);
}

}  // namespace
}  // namespace carbonbench
