// Every validation error names the file, the 1-based line and column of the
// offending node, what is wrong and how to fix it.
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "unit/suites/suite_test_support.h"

namespace carbonbench {
namespace {

using testing_support::ErrorsOf;
using testing_support::Load;
using testing_support::TestCatalog;
using Strings = std::vector<std::string>;

TEST(ValidationTest, UnknownSettingSuggestsTheClosestKey) {
  EXPECT_EQ(ErrorsOf(R"(suite: quickstart
defaults:
  eopchs: 5
)"),
            Strings{"quickstart.yaml:3:3: unknown setting 'eopchs' (did you "
                    "mean 'epochs'?)"});
}

TEST(ValidationTest, UnknownNestedPluginParameterListsThePluginsOwn) {
  EXPECT_EQ(ErrorsOf(R"(suite: q
defaults:
  early_stop: {patinece: 2, zzz: 1}
)"),
            (Strings{"quickstart.yaml:3:16: unknown setting "
                     "'early_stop.patinece' (did you mean "
                     "'early_stop.patience'?)",
                     "quickstart.yaml:3:29: unknown setting 'early_stop.zzz' "
                     "(early_stop's parameters: patience, target_acc)"}));
}

TEST(ValidationTest, UnknownTopLevelKey) {
  EXPECT_EQ(ErrorsOf("suite: q\nmatrx: {lr: [0.1]}\nepochs: 3\n"),
            (Strings{"quickstart.yaml:2:1: unknown top-level key 'matrx' (did "
                     "you mean 'matrix'?)",
                     "quickstart.yaml:3:1: unknown top-level key 'epochs'; "
                     "settings go under 'defaults:' (or a 'matrix:' axis)"}));
}

TEST(ValidationTest, WrongTypeNamesTheExpectedType) {
  EXPECT_EQ(ErrorsOf(R"(suite: q
defaults:
  epochs: abc
  batch_size: "64"
  optimizer: rmsprop
)"),
            (Strings{"quickstart.yaml:3:11: epochs must be an integer from 1 to 2147483647, got "
                     "'abc'",
                     "quickstart.yaml:4:15: batch_size must be an integer from 1 to 65536, got "
                     "'64' (it is quoted, so it is text; remove the quotes)",
                     "quickstart.yaml:5:14: optimizer must be one of sgd, adam, "
                     "adamw, got 'rmsprop'"}));
}

TEST(ValidationTest, OutOfRangeValuesGiveTheBound) {
  EXPECT_EQ(ErrorsOf(R"(suite: q
defaults: {lr: -1, early_stop.patience: 0}
matrix:
  batch_size: [32, 100000]
carbon: {region: FR, pue: 5}
repetitions: 0
)"),
            (Strings{"quickstart.yaml:2:16: lr = -1 is below its minimum 1e-12",
                     "quickstart.yaml:2:41: early_stop.patience = 0 is below "
                     "its minimum 1",
                     "quickstart.yaml:4:20: batch_size = 100000 is above its "
                     "maximum 65536",
                     "quickstart.yaml:5:27: carbon.pue = 5 is above its "
                     "maximum 3",
                     "quickstart.yaml:6:14: repetitions = 0 is below its "
                     "minimum 1"}));
}

TEST(ValidationTest, UnknownPluginsListTheKnownOnes) {
  EXPECT_EQ(ErrorsOf(R"(suite: q
defaults: {model: resnet}
matrix:
  optimizations: [[mixed_precison], [early_stop]]
meters: [wattmeter]
)"),
            (Strings{"quickstart.yaml:2:19: unknown model 'resnet' (known "
                     "models: cnn, mlp)",
                     "quickstart.yaml:4:20: unknown optimization "
                     "'mixed_precison' (did you mean 'mixed_precision'? known "
                     "optimizations: mixed_precision, early_stop, quantize)",
                     "quickstart.yaml:5:10: unknown meter 'wattmeter' (known "
                     "meters: cpu_estimate)"}));
}

// scripts/quickstart.sh builds only the plugins its suite uses: a shipped
// plugin that is missing was not built yet, and the error says how to build it.
TEST(ValidationTest, ShippedPluginNotBuiltSaysHowToBuildIt) {
  EXPECT_EQ(ErrorsOf(R"(suite: q
defaults: {model: resnet18}
)"),
            (Strings{"quickstart.yaml:2:19: model 'resnet18' ships with carbonbench but is not "
                     "built here: `scripts/build.sh app` builds every plugin (known models: "
                     "cnn, mlp)"}));
}

TEST(ValidationTest, PluginOfTheWrongKind) {
  EXPECT_EQ(ErrorsOf("suite: q\ndefaults: {model: early_stop}\n"),
            Strings{"quickstart.yaml:2:19: 'early_stop' is an optimization, "
                    "not a model (known models: cnn, mlp)"});
}

TEST(ValidationTest, ConflictingOptimizationsInEitherOrder) {
  const std::string message =
      "conflict and cannot run in the same cell; put them in separate matrix "
      "entries";
  EXPECT_EQ(ErrorsOf(R"(suite: q
matrix:
  optimizations: [[quantize, mixed_precision], mixed_precision+quantize]
)"),
            (Strings{"quickstart.yaml:3:19: optimizations 'quantize' and "
                     "'mixed_precision' " +
                         message,
                     "quickstart.yaml:3:48: optimizations 'mixed_precision' "
                     "and 'quantize' " +
                         message}));
}

TEST(ValidationTest, DuplicateOptimizationInOneCell) {
  EXPECT_EQ(ErrorsOf("suite: q\ndefaults: {optimizations: [early_stop, early_stop]}\n"),
            Strings{"quickstart.yaml:2:27: optimization 'early_stop' is listed "
                    "twice in one cell; list it once"});
}

TEST(ValidationTest, YamlSyntaxErrorCarriesItsPosition) {
  EXPECT_EQ(ErrorsOf("suite: q\nmatrix:\n  lr: [0.1, 0.2\nrepetitions: 2\n"),
            Strings{"quickstart.yaml:4:12: YAML syntax error: end of sequence "
                    "flow not found (check indentation, brackets and quotes "
                    "here or just above)"});
}

TEST(ValidationTest, MissingSuiteKeyAndBadSuiteName) {
  EXPECT_EQ(ErrorsOf("defaults: {epochs: 5}\n"),
            Strings{"quickstart.yaml:1:1: missing required key 'suite'; add a "
                    "line such as 'suite: my_suite' (it names the result files)"});
  EXPECT_EQ(ErrorsOf(""), ErrorsOf("defaults: {epochs: 5}\n"));
  EXPECT_EQ(ErrorsOf("suite: my suite\n"),
            Strings{"quickstart.yaml:1:8: suite name 'my suite' may only use "
                    "letters, digits, '_' and '-' (it names the result files)"});
}

TEST(ValidationTest, EveryNameThatBecomesAFileNameIsChecked) {
  EXPECT_EQ(ErrorsOf("suite: " + std::string(300, 'a') + "\n"),
            Strings{"quickstart.yaml:1:8: suite name '" + std::string(40, 'a') +
                    "...' is 300 characters long; at most 100 are allowed (it names the result "
                    "files)"});
  // Fortune categories name files in the dataset's folder.
  EXPECT_EQ(ErrorsOf("suite: q\ndataset: {name: fortunes, categories: 'food, ../../etc/x'}\n"),
            Strings{"quickstart.yaml:2:39: dataset.categories: category '../../etc/x' may only "
                    "use letters, digits, '_' and '-' (it names a file in the dataset's folder)"});
  EXPECT_EQ(Load("suite: q\ndataset: {name: fortunes, categories: 'food, men-women'}\n")
                .cells.at(0)
                .Get("dataset.categories"),
            ParamValue(std::string("food, men-women")));
}

TEST(ValidationTest, MatrixShapeErrors) {
  EXPECT_EQ(ErrorsOf(R"(suite: q
matrix:
  lr: []
  epochs: 3
  seed: [1, 2, 1]
  exclude: [{device: cpu}]
)"),
            (Strings{"quickstart.yaml:3:7: matrix axis 'lr' is empty; give at "
                     "least one value or remove the axis",
                     "quickstart.yaml:4:11: matrix axis 'epochs' must be a list "
                     "of values, e.g. 'epochs: [a, b]'",
                     "quickstart.yaml:5:16: matrix axis 'seed' lists 1 twice; "
                     "list each value once"}));
}

TEST(ValidationTest, ExcludeKeysMustBeAxesAndMatchSomething) {
  EXPECT_EQ(ErrorsOf(R"(suite: q
matrix:
  lr: [0.1, 0.01]
  exclude: [{device: cpu}, {lr: 0.5}]
)"),
            (Strings{"quickstart.yaml:4:14: exclude key 'device' is not a "
                     "matrix axis, so it can never match (axes: lr)",
                     "quickstart.yaml:4:28: this exclude entry matches no "
                     "combination; its values must be among the axes' values"}));
}

TEST(ValidationTest, MatrixExcludingEverythingIsAnError) {
  EXPECT_EQ(ErrorsOf("suite: q\nmatrix:\n  lr: [0.1]\n  exclude: [{lr: 0.1}]\n"),
            Strings{"quickstart.yaml:2:1: the matrix has no combinations left "
                    "after 'exclude'; remove an exclude entry or add an include"});
}

TEST(ValidationTest, RepeatedIncludeIsADuplicateCell) {
  EXPECT_EQ(ErrorsOf(R"(suite: q
matrix:
  lr: [0.01]
  include:
    - lr: 0.1
    - lr: 0.1
)"),
            Strings{"quickstart.yaml:6:7: cell 'cnn/baseline/lr=0.1' is "
                    "defined twice (same settings as the one from line 5); "
                    "remove the repeated entry"});
}

TEST(ValidationTest, SettingGivenTwiceAsNestedAndDotted) {
  EXPECT_EQ(ErrorsOf(R"(suite: q
defaults:
  early_stop: {patience: 2}
  early_stop.patience: 3
)"),
            Strings{"quickstart.yaml:4:3: setting 'early_stop.patience' is "
                    "given twice (first at line 3); keep one"});
}

TEST(ValidationTest, DatasetKeyGivenTwiceInOneMapping) {
  EXPECT_EQ(ErrorsOf("suite: q\ndataset: {name: mnist, name: kmnist}\n"),
            Strings{"quickstart.yaml:2:24: setting 'dataset' is given twice "
                    "(first at line 2); keep one"});
}

TEST(ValidationTest, CarbonAndMetersShape) {
  EXPECT_EQ(ErrorsOf("suite: q\ncarbon: {regoin: FR}\nmeters: []\n"),
            (Strings{"quickstart.yaml:2:10: unknown carbon setting 'regoin' "
                     "(did you mean 'region'? carbon takes region, pue, "
                     "intensity_g_per_kwh, intensity_csv, compare_regions)",
                     "quickstart.yaml:3:9: 'meters' must list at least one "
                     "meter (known meters: cpu_estimate)"}));
}

TEST(ValidationTest, LimitsAndInferenceValues) {
  EXPECT_EQ(ErrorsOf("suite: q\nlimits: {cell_timeout_s: 0, memory: 3}\n"
                     "inference: {batch_sizes: [1, 1, 0], min_time: 2}\n"),
            (Strings{"quickstart.yaml:2:26: limits.cell_timeout_s = 0 is below its minimum 1",
                     "quickstart.yaml:2:29: unknown limits setting 'memory' (limits takes "
                     "cell_timeout_s, cell_memory_mb)",
                     "quickstart.yaml:3:30: inference.batch_sizes lists 1 twice; list each once",
                     "quickstart.yaml:3:33: inference.batch_sizes = 0 is below its minimum 1",
                     "quickstart.yaml:3:37: unknown inference setting 'min_time' (did you mean "
                     "'min_time_s'? inference takes enabled, batch_sizes, warmup_iterations, "
                     "min_time_s, min_iterations)"}));
}

TEST(ValidationTest, CarbonAndSamplerValues) {
  EXPECT_EQ(ErrorsOf("suite: q\ncarbon: {pue: 0.5, intensity_g_per_kwh: -3, "
                     "compare_regions: []}\nsampler: {interval_ms: 1, idle: 3}\n"),
            (Strings{"quickstart.yaml:2:15: carbon.pue = 0.5 is below its minimum 1",
                     "quickstart.yaml:2:41: carbon.intensity_g_per_kwh = -3 is below "
                     "its minimum 0",
                     "quickstart.yaml:2:62: carbon.compare_regions must list region "
                     "codes, e.g. [FR, US-CA, gcp:europe-north1, aws:us-east-1]",
                     "quickstart.yaml:3:24: sampler.interval_ms = 1 is below its "
                     "minimum 10",
                     "quickstart.yaml:3:27: unknown sampler setting 'idle' (sampler "
                     "takes interval_ms, idle_baseline_s)"}));
}

TEST(ValidationTest, RootMustBeAMapping) {
  EXPECT_EQ(ErrorsOf("- suite: q\n"),
            Strings{"quickstart.yaml:1:1: a suite must be a YAML mapping with "
                    "keys such as 'suite:', 'defaults:' and 'matrix:'"});
}

// A catalog without the default model and without a meter that is on by
// default: the suite must name its own.
TEST(ValidationTest, DefaultPluginsMustBeInstalledWhenReliedOn) {
  const PluginCatalog catalog = {{"mlp", PluginKind::kModel, {}, {}},
                                 {"wattmeter", PluginKind::kMeter, {}, {}}};
  try {
    LoadSuiteText("suite: q\ndefaults: {model: mlp}\n", "q.yaml", catalog);
    FAIL() << "no exception";
  } catch (const SuiteError& e) {
    EXPECT_EQ(e.messages(), (Strings{"q.yaml:1:1: no 'meters' are listed and no installed "
                                     "meter is on by default; add 'meters: [...]' (known meters: "
                                     "wattmeter)"}));
  }
  try {
    LoadSuiteText("suite: q\nmeters: [wattmeter]\n", "q.yaml", catalog);
    FAIL() << "no exception";
  } catch (const SuiteError& e) {
    EXPECT_EQ(e.messages(),
              (Strings{"q.yaml:1:1: no 'model' is set and no installed model is the "
                       "default; set 'model' under 'defaults:' (known models: mlp)"}));
  }
  const Suite suite =
      LoadSuiteText("suite: q\nmeters: [wattmeter]\ndefaults: {model: mlp}\n", "q.yaml", catalog);
  EXPECT_EQ(suite.cells.at(0).name, "mlp/baseline");
}

TEST(ValidationTest, AllErrorsAreReportedTogether) {
  try {
    testing_support::Load(R"(suite: q
defaults:
  eopchs: 5
  lr: fast
meters: [cpu_estimate, cpu_estimate]
)");
    FAIL() << "no exception";
  } catch (const SuiteError& e) {
    ASSERT_EQ(e.messages().size(), 3u);
    EXPECT_EQ(std::string(e.what()),
              e.messages()[0] + "\n" + e.messages()[1] + "\n" + e.messages()[2]);
    EXPECT_EQ(e.messages()[2],
              "quickstart.yaml:5:24: meter 'cpu_estimate' is listed twice; "
              "list it once");
  }
}

TEST(ValidationTest, MissingFileSaysWhy) {
  const std::string path = ::testing::TempDir() + "/no_such_dir/missing.yaml";
  try {
    LoadSuiteFile(path, TestCatalog());
    FAIL() << "no exception";
  } catch (const SuiteError& e) {
    EXPECT_EQ(e.messages(),
              Strings{"cannot open suite file " + path + ": No such file or directory"});
  }
}

TEST(ValidationTest, AnOptimizationThatCannotRunHereIsRefusedWithItsReason) {
  PluginCatalog catalog = TestCatalog();
  PluginCatalogEntry int8{"int8", PluginKind::kOptimization, {}, {}};
  int8.unavailable_reason = "this torch build has no quantized CPU engine";
  catalog.push_back(int8);
  try {
    LoadSuiteText("suite: q\nmatrix:\n  optimizations: [[], [int8]]\n", "q.yaml", catalog);
    FAIL() << "a suite using an unavailable optimization was accepted";
  } catch (const SuiteError& e) {
    EXPECT_EQ(e.messages(),
              Strings{"q.yaml:3:23: optimization 'int8' cannot run here: this torch build has no "
                      "quantized CPU engine"});
  }
}

}  // namespace
}  // namespace carbonbench
