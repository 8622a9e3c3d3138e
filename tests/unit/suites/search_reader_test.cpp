// The `search:` block: every accepted form read into SearchSettings, and every
// mistake reported at its line and column with how to fix it.
#include "suites/search_reader.h"

#include <cstdint>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include "suites/settings_schema.h"
#include "suites/suite_reader.h"
#include "unit/suites/suite_test_support.h"

namespace carbonbench {
namespace {

using detail::SearchDocument;
using detail::SuiteDocument;
using testing_support::TestCatalog;
using Kind = SearchDistribution::Kind;
using Strings = std::vector<std::string>;

struct ReadResult {
  SuiteDocument doc;
  Strings errors;
};

// Reads a whole suite text with the test catalog.
ReadResult ReadText(const std::string& yaml) {
  const detail::SettingsSchema schema(TestCatalog());
  detail::ErrorList errors("quickstart.yaml", /*with_positions=*/true);
  ReadResult result;
  result.doc = detail::ReadSuiteDocument(YAML::Load(yaml), schema, errors);
  try {
    errors.ThrowIfAny();
  } catch (const SuiteError& e) {
    result.errors = e.messages();
  }
  return result;
}

// A suite whose search block holds `body` (indented by two), from line 3.
std::string WithSearch(const std::string& body) { return "suite: q\nsearch:\n" + body; }

SearchSettings Read(const std::string& body) {
  const ReadResult result = ReadText(WithSearch(body));
  EXPECT_EQ(result.errors, Strings{}) << body;
  EXPECT_TRUE(result.doc.search.present);
  return result.doc.search.settings;
}

Strings ErrorsOf(const std::string& body) {
  const ReadResult result = ReadText(WithSearch(body));
  EXPECT_FALSE(result.errors.empty()) << "expected errors for:\n" << body;
  return result.errors;
}

TEST(SearchReaderTest, ReadsEveryParameterForm) {
  const ReadResult result = ReadText(WithSearch(R"(  parameters:
    lr: {float: [0.0001, 0.1], log: true}
    batch_size: {choice: [32, 64, 128]}
    cnn.channels: {int: [8, 64], step: 8}
    optimizations: {choice: [[], [mixed_precision], early_stop+quantize]}
    model: {choice: [cnn, mlp]}
    momentum: {int: [0, 1]}
    dataset.name: {choice: [fashion_mnist, cifar10]}
  objectives: [accuracy, co2_g]
)"));
  ASSERT_EQ(result.errors, Strings{});
  const SearchDocument& search = result.doc.search;
  EXPECT_TRUE(search.present);
  EXPECT_EQ(search.loc.line, 1);
  EXPECT_EQ(search.loc.column, 0);
  const auto& params = search.settings.parameters;
  ASSERT_EQ(params.size(), 7u);
  ASSERT_EQ(search.parameter_locs.size(), 7u);
  EXPECT_EQ(search.parameter_locs[2].line, 5);
  EXPECT_EQ(search.parameter_locs[2].column, 4);

  EXPECT_EQ(params[0].key, "lr");
  EXPECT_EQ(params[0].distribution.kind, Kind::kFloat);
  EXPECT_DOUBLE_EQ(params[0].distribution.low, 0.0001);
  EXPECT_DOUBLE_EQ(params[0].distribution.high, 0.1);
  EXPECT_TRUE(params[0].distribution.log);

  EXPECT_EQ(params[1].key, "batch_size");
  EXPECT_EQ(params[1].distribution.kind, Kind::kChoice);
  EXPECT_EQ(params[1].distribution.choices,
            (std::vector<ParamValue>{std::int64_t{32}, std::int64_t{64}, std::int64_t{128}}));
  EXPECT_EQ(params[1].distribution.labels, (Strings{"32", "64", "128"}));

  EXPECT_EQ(params[2].key, "cnn.channels");
  EXPECT_EQ(params[2].distribution.kind, Kind::kInt);
  EXPECT_EQ(params[2].distribution.low, 8);
  EXPECT_EQ(params[2].distribution.high, 64);
  EXPECT_EQ(params[2].distribution.step, 8);
  EXPECT_FALSE(params[2].distribution.log);

  // Optimization lists as the matrix holds them: names joined by '+'.
  EXPECT_EQ(params[3].key, "optimizations");
  EXPECT_EQ(params[3].distribution.choices,
            (std::vector<ParamValue>{std::string(""), std::string("mixed_precision"),
                                     std::string("early_stop+quantize")}));
  EXPECT_EQ(params[3].distribution.labels,
            (Strings{"none", "mixed_precision", "early_stop+quantize"}));

  EXPECT_EQ(params[4].key, "model");
  EXPECT_EQ(params[4].distribution.labels, (Strings{"cnn", "mlp"}));

  // An int range over a float setting stays an int distribution.
  EXPECT_EQ(params[5].key, "momentum");
  EXPECT_EQ(params[5].distribution.kind, Kind::kInt);

  EXPECT_EQ(params[6].key, "dataset");
}

TEST(SearchReaderTest, FloatChoicesAreNormalizedAsTheSetting) {
  const SearchSettings settings = Read(R"(  parameters:
    lr: {choice: [1, 0.5]}
  objectives: [rmse]
)");
  ASSERT_EQ(settings.parameters.size(), 1u);
  EXPECT_EQ(settings.parameters[0].distribution.choices, (std::vector<ParamValue>{1.0, 0.5}));
  EXPECT_EQ(settings.parameters[0].distribution.labels, (Strings{"1", "0.5"}));
}

TEST(SearchReaderTest, DefaultsForOneObjective) {
  const SearchSettings settings = Read(R"(  parameters: {lr: {float: [0.001, 0.1]}}
  objectives: [rmse]
)");
  ASSERT_EQ(settings.objectives.size(), 1u);
  EXPECT_EQ(settings.objectives[0].metric, "rmse");
  EXPECT_FALSE(settings.objectives[0].maximize);
  EXPECT_EQ(settings.sampler, "tpe");
  EXPECT_FALSE(settings.seed.has_value());
  EXPECT_EQ(settings.pruner.name, "median");
  EXPECT_EQ(settings.pruner.startup_trials, 5);
  EXPECT_EQ(settings.pruner.warmup_epochs, 0);
  EXPECT_EQ(settings.trials, 20);
  EXPECT_EQ(settings.max_energy_wh, 0);
  EXPECT_EQ(settings.max_co2_g, 0);
  EXPECT_EQ(settings.timeout_s, 0);
}

TEST(SearchReaderTest, TwoObjectivesPruneNothingByDefault) {
  const SearchSettings settings = Read(R"(  parameters: {lr: {float: [0.001, 0.1]}}
  objectives: [accuracy, co2_g]
)");
  ASSERT_EQ(settings.objectives.size(), 2u);
  EXPECT_EQ(settings.objectives[0].metric, "accuracy");
  EXPECT_TRUE(settings.objectives[0].maximize);
  EXPECT_EQ(settings.objectives[1].metric, "co2_g");
  EXPECT_FALSE(settings.objectives[1].maximize);
  EXPECT_EQ(settings.pruner.name, "none");
}

TEST(SearchReaderTest, ReadsEveryOtherKey) {
  const SearchSettings settings = Read(R"(  parameters: {lr: {float: [0.001, 0.1]}}
  objectives: [{accuracy: maximize}, {time_s: minimize}]
  sampler: {type: nsga2, seed: 4294967295}
  pruner: none
  trials: 100000
  max_energy_wh: 5
  max_co2_g: 2.5
  timeout_s: 600
)");
  EXPECT_TRUE(settings.objectives[0].maximize);
  EXPECT_EQ(settings.objectives[1].metric, "time_s");
  EXPECT_FALSE(settings.objectives[1].maximize);
  EXPECT_EQ(settings.sampler, "nsga2");
  EXPECT_EQ(settings.seed, std::int64_t{4294967295});
  EXPECT_EQ(settings.pruner.name, "none");
  EXPECT_EQ(settings.trials, 100000);
  EXPECT_EQ(settings.max_energy_wh, 5);
  EXPECT_EQ(settings.max_co2_g, 2.5);
  EXPECT_EQ(settings.timeout_s, 600);
}

TEST(SearchReaderTest, ReadsPrunerMappingsAndSeedAtTheTop) {
  SearchSettings settings = Read(R"(  parameters: {lr: {float: [0.001, 0.1]}}
  objectives: [rmse]
  sampler: random
  seed: 0
  pruner: {type: median, startup_trials: 3, warmup_epochs: 1}
)");
  EXPECT_EQ(settings.sampler, "random");
  EXPECT_EQ(settings.seed, std::int64_t{0});
  EXPECT_EQ(settings.pruner.name, "median");
  EXPECT_EQ(settings.pruner.startup_trials, 3);
  EXPECT_EQ(settings.pruner.warmup_epochs, 1);

  settings = Read(R"(  parameters: {lr: {float: [0.001, 0.1]}}
  objectives: [rmse]
  pruner: {type: hyperband, min_epochs: 2, reduction_factor: 4}
)");
  EXPECT_EQ(settings.pruner.name, "hyperband");
  EXPECT_EQ(settings.pruner.min_epochs, 2);
  EXPECT_EQ(settings.pruner.reduction_factor, 4);
}

TEST(SearchReaderTest, CanonicalJsonNamesTheStudy) {
  const std::string a = Read(R"(  parameters: {lr: {float: [0.001, 0.1]}, model: {choice: [cnn]}}
  objectives: [accuracy]
  seed: 7
)")
                            .canonical_json;
  // The same block spelled otherwise: sampler mapping, defaults written out.
  const std::string b = Read(R"(  objectives: [{accuracy: maximize}]
  sampler: {type: tpe, seed: 7}
  pruner: median
  trials: 20
  parameters:
    lr: {log: false, float: [0.001, 0.1]}
    model: {choice: [cnn]}
)")
                            .canonical_json;
  EXPECT_EQ(a, b);
  EXPECT_NE(a.find("\"lr\""), std::string::npos);
  const std::string c = Read(R"(  parameters: {lr: {float: [0.001, 0.2]}, model: {choice: [cnn]}}
  objectives: [accuracy]
  seed: 7
)")
                            .canonical_json;
  EXPECT_NE(a, c);
  // The order of the parameters is part of the study.
  const std::string d = Read(R"(  parameters: {model: {choice: [cnn]}, lr: {float: [0.001, 0.1]}}
  objectives: [accuracy]
  seed: 7
)")
                            .canonical_json;
  EXPECT_NE(a, d);
}

// --- errors ------------------------------------------------------------------

TEST(SearchReaderTest, UnknownParameterKeySuggestsTheClosest) {
  EXPECT_EQ(ErrorsOf(R"(  parameters:
    lrr: {float: [0.001, 0.1]}
    cnn.chanels: {int: [8, 64]}
    cnn: {channels: {int: [8, 64]}}
  objectives: [accuracy]
)"),
            (Strings{"quickstart.yaml:4:5: search parameter: unknown setting 'lrr' (did you mean "
                     "'lr'?)",
                     "quickstart.yaml:5:5: search parameter: unknown setting 'cnn.chanels' (did "
                     "you mean 'cnn.channels'?)",
                     "quickstart.yaml:6:5: search parameters name a plugin's parameters with "
                     "dotted keys: write 'cnn.channels: {int: [8, 64]}' rather than nesting them "
                     "under 'cnn:'"}));
}

TEST(SearchReaderTest, ParameterGivenTwice) {
  EXPECT_EQ(ErrorsOf(R"(  parameters:
    dataset: {choice: [a]}
    dataset.name: {choice: [b]}
  objectives: [accuracy]
)"),
            (Strings{"quickstart.yaml:5:5: search parameter 'dataset' is given twice (first at "
                     "line 4); keep one"}));
}

TEST(SearchReaderTest, ParameterShapeErrors) {
  EXPECT_EQ(ErrorsOf(R"(  parameters:
    lr: 0.1
    epochs: {}
    momentum: {float: [0, 1], int: [0, 1]}
    batch_size: {choise: [1]}
  objectives: [accuracy]
)"),
            (Strings{"quickstart.yaml:4:9: search parameter 'lr' must be a mapping with one of "
                     "'float', 'int' or 'choice', e.g. 'lr: {float: [0.0001, 0.1], log: true}'",
                     "quickstart.yaml:5:5: search parameter 'epochs' needs one of 'float', 'int' "
                     "or 'choice', e.g. 'epochs: {int: [8, 64], step: 8}'",
                     "quickstart.yaml:6:31: search parameter 'momentum' gives both 'float' and "
                     "'int'; keep one of float, int or choice",
                     "quickstart.yaml:7:18: unknown search parameter 'batch_size' key 'choise' "
                     "(did you mean 'choice'? search parameter 'batch_size' takes float, int, "
                     "choice, log, step)",
                     "quickstart.yaml:7:5: search parameter 'batch_size' needs one of 'float', "
                     "'int' or 'choice', e.g. 'batch_size: {int: [8, 64], step: 8}'"}));
}

TEST(SearchReaderTest, RangeKindMustFitTheSetting) {
  EXPECT_EQ(ErrorsOf(R"(  parameters:
    batch_size: {float: [1, 10]}
    optimizer: {int: [1, 2]}
    optimizations: {float: [0, 1]}
  objectives: [accuracy]
)"),
            (Strings{"quickstart.yaml:4:18: search parameter 'batch_size' is an integer setting, "
                     "so it takes 'int: [low, high]' or 'choice: [...]', not 'float', e.g. "
                     "'batch_size: {int: [8, 64], step: 8}'",
                     "quickstart.yaml:5:17: search parameter 'optimizer' takes one of sgd, adam, "
                     "adamw, so it is searched over a list: use 'choice: [...]' instead of 'int', "
                     "e.g. 'optimizer: {choice: [a, b]}'",
                     "quickstart.yaml:6:21: search parameter 'optimizations' takes a list of "
                     "optimizations, so it is searched over a list: use 'choice: [...]' instead "
                     "of 'float', e.g. 'optimizations: {choice: [[], [NAME], [NAME, NAME]]}'"}));
}

TEST(SearchReaderTest, RangeBoundsAreCheckedAgainstTheSetting) {
  EXPECT_EQ(ErrorsOf(R"(  parameters:
    lr: {float: [0, 20]}
    momentum: {float: [0.9, 0.1]}
    weight_decay: {float: [0.5, 0.5]}
    batch_size: {int: [8.5, 64]}
    cnn.channels: {int: [0, 64]}
    lr_gamma: {float: [0.1]}
    epochs: {float: [x, 3]}
  objectives: [accuracy]
)"),
            (Strings{"quickstart.yaml:4:18: lr's float range [0, 20] starts at 0, below lr's "
                     "minimum 1e-12; start at 1e-12 or above",
                     "quickstart.yaml:4:21: lr's float range [0, 20] ends at 20, above lr's "
                     "maximum 10; end at 10 or below",
                     "quickstart.yaml:5:23: momentum's float range [0.9, 0.1] is backwards: write "
                     "the low end first, e.g. [0.1, 0.9]",
                     "quickstart.yaml:6:27: weight_decay's float range [0.5, 0.5] holds one "
                     "value; set 'weight_decay: 0.5' under 'defaults:' instead, or widen the "
                     "range",
                     "quickstart.yaml:7:24: search parameter 'batch_size': an int range's bounds "
                     "are whole numbers, got '8.5'; e.g. 'batch_size: {int: [8, 64], step: 8}'",
                     "quickstart.yaml:8:26: cnn.channels's int range [0, 64] starts at 0, below "
                     "cnn.channels's minimum 1; start at 1 or above",
                     "quickstart.yaml:9:23: 'float' of search parameter 'lr_gamma' must be two "
                     "numbers [low, high], e.g. 'lr_gamma: {float: [0.0001, 0.1], log: true}'",
                     "quickstart.yaml:10:14: search parameter 'epochs' is an integer setting, so "
                     "it takes 'int: [low, high]' or 'choice: [...]', not 'float', e.g. 'epochs: "
                     "{int: [8, 64], step: 8}'"}));
}

TEST(SearchReaderTest, LogAndStepRules) {
  EXPECT_EQ(ErrorsOf(R"(  parameters:
    momentum: {float: [0, 0.9], log: true}
    batch_size: {int: [8, 64], log: true, step: 8}
    epochs: {int: [1, 9], step: 0}
    lr: {float: [0.001, 0.1], step: 2}
    model: {choice: [cnn], log: yes}
  objectives: [accuracy]
)"),
            (Strings{"quickstart.yaml:4:24: momentum's float range [0, 0.9] starts at 0, but log: "
                     "true needs low > 0; start above 0 or drop 'log'",
                     "quickstart.yaml:5:43: search parameter 'batch_size': Optuna cannot step a "
                     "log range; drop 'step' or 'log'",
                     "quickstart.yaml:6:33: step of 'epochs' = 0 is below its minimum 1; e.g. "
                     "'epochs: {int: [8, 64], step: 8}'",
                     "quickstart.yaml:7:31: search parameter 'lr': 'step' applies to int ranges "
                     "only, e.g. 'lr: {int: [8, 64], step: 8}'; remove it",
                     "quickstart.yaml:8:33: 'log' of search parameter 'model' must be true or "
                     "false, e.g. 'model: {float: [0.0001, 0.1], log: true}'",
                     "quickstart.yaml:8:28: search parameter 'model': 'log' applies to float and "
                     "int ranges, not to a choice; remove it"}));
}

TEST(SearchReaderTest, ChoicesAreReadAsMatrixValues) {
  EXPECT_EQ(
      ErrorsOf(R"(  parameters:
    model: {choice: [cnn, resnet]}
    optimizations: {choice: [[], [mixed_precision, quantize], none]}
    batch_size: {choice: [32, 32]}
    epochs: {choice: []}
  objectives: [accuracy]
)"),
      (Strings{"quickstart.yaml:4:27: unknown model 'resnet' (known models: cnn, mlp)",
               "quickstart.yaml:5:34: optimizations 'mixed_precision' and 'quantize' conflict "
               "and cannot run in the same cell; put them in separate matrix entries",
               "quickstart.yaml:5:63: search parameter 'optimizations' lists none twice in "
               "its choices; list each value once",
               "quickstart.yaml:6:31: search parameter 'batch_size' lists 32 twice in its "
               "choices; list each value once",
               "quickstart.yaml:7:22: 'choice' of search parameter 'epochs' must be a "
               "non-empty list of values, e.g. 'epochs: {choice: [a, b]}'"}));
}

TEST(SearchReaderTest, ObjectiveErrors) {
  EXPECT_EQ(ErrorsOf(R"(  parameters: {lr: {float: [0.001, 0.1]}}
  objectives: [acuracy, rmse, co2_g]
)"),
            (Strings{"quickstart.yaml:4:15: search.objectives must list one or two metrics "
                     "(accuracy, rmse, energy_wh, co2_g, time_s), e.g. 'objectives: [accuracy, "
                     "co2_g]' or 'objectives: [rmse]'"}));
  EXPECT_EQ(ErrorsOf(R"(  parameters: {lr: {float: [0.001, 0.1]}}
  objectives: [acuracy, {co2_g: lower}]
)"),
            (Strings{"quickstart.yaml:4:16: unknown objective 'acuracy' (did you mean "
                     "'accuracy'? objectives are accuracy, rmse, energy_wh, co2_g, time_s)",
                     "quickstart.yaml:4:33: an objective's direction is 'minimize' or 'maximize', "
                     "e.g. '{co2_g: minimize}'"}));
  EXPECT_EQ(ErrorsOf(R"(  parameters: {lr: {float: [0.001, 0.1]}}
  objectives: [co2_g, {co2_g: minimize}]
)"),
            (Strings{"quickstart.yaml:4:24: objective 'co2_g' is listed twice; list it once"}));
  EXPECT_EQ(ErrorsOf(R"(  parameters: {lr: {float: [0.001, 0.1]}}
  objectives: [accuracy, rmse]
)"),
            (Strings{"quickstart.yaml:4:26: objectives 'accuracy' and 'rmse' do not go together: "
                     "a model is a classifier (accuracy) or a regressor (rmse); keep the one its "
                     "dataset gives and pair it with energy_wh, co2_g or time_s"}));
}

TEST(SearchReaderTest, RequiredKeys) {
  EXPECT_EQ(ReadText("suite: q\nsearch: {trials: 3}\n").errors,
            (Strings{"quickstart.yaml:2:1: search needs 'parameters', the settings it samples, "
                     "e.g. 'parameters: {lr: {float: [0.0001, 0.1], log: true}}'",
                     "quickstart.yaml:2:1: search needs 'objectives', what each trial is scored "
                     "by, e.g. 'objectives: [accuracy]' or 'objectives: [accuracy, co2_g]'"}));
  EXPECT_EQ(ReadText("suite: q\nsearch:\n").errors,
            (Strings{"quickstart.yaml:2:1: 'search' must be a mapping with 'parameters' and "
                     "'objectives', e.g. 'search: {parameters: {lr: {float: [0.0001, 0.1], log: "
                     "true}}, objectives: [accuracy]}'"}));
}

TEST(SearchReaderTest, UnknownKeysListTheKnownOnes) {
  EXPECT_EQ(ErrorsOf(R"(  parameters: {lr: {float: [0.001, 0.1]}}
  objectives: [rmse]
  trails: 5
  sampler: {type: tpe, sede: 3}
  pruner: {type: median, min_epochs: 2, patience: 1}
)"),
            (Strings{"quickstart.yaml:5:3: unknown search key 'trails' (did you mean 'trials'? "
                     "search takes parameters, objectives, sampler, seed, pruner, trials, "
                     "max_energy_wh, max_co2_g, timeout_s)",
                     "quickstart.yaml:6:24: unknown search.sampler key 'sede' (did you mean "
                     "'seed'? search.sampler takes type, seed)",
                     "quickstart.yaml:7:26: 'min_epochs' is not a setting of the median pruner "
                     "(it takes startup_trials, warmup_epochs); remove it",
                     "quickstart.yaml:7:41: unknown search.pruner key 'patience' (search.pruner "
                     "takes type, startup_trials, warmup_epochs, min_epochs, reduction_factor)"}));
}

TEST(SearchReaderTest, SamplerSeedAndPrunerErrors) {
  EXPECT_EQ(ErrorsOf(R"(  parameters: {lr: {float: [0.001, 0.1]}}
  objectives: [rmse]
  sampler: {type: nsga2, seed: 1}
  seed: 2
  pruner: hyperbnd
)"),
            (Strings{"quickstart.yaml:6:3: the sampler's seed is given twice (sampler.seed at "
                     "line 5 and search.seed); keep one, e.g. 'seed: 7' under 'search:'",
                     "quickstart.yaml:7:11: unknown search.pruner 'hyperbnd' (did you mean "
                     "'hyperband'? search.pruner is one of median, hyperband, none)",
                     "quickstart.yaml:5:19: nsga2 is a multi-objective sampler; with one "
                     "objective use tpe (or random), or add a second objective such as co2_g"}));
  EXPECT_EQ(ErrorsOf(R"(  parameters: {lr: {float: [0.001, 0.1]}}
  objectives: [rmse]
  seed: 4294967296
  trials: 0
  pruner: {type: hyperband, reduction_factor: 1}
  max_co2_g: 0
  timeout_s: -5
)"),
            (Strings{"quickstart.yaml:5:9: search.seed = 4294967296 is above its maximum "
                     "4294967295; e.g. 'seed: 7'",
                     "quickstart.yaml:6:11: search.trials = 0 is below its minimum 1; e.g. "
                     "'trials: 50'",
                     "quickstart.yaml:7:47: pruner.reduction_factor = 1 is below its minimum 2; "
                     "e.g. 'reduction_factor: 3'",
                     "quickstart.yaml:8:14: search.max_co2_g must be a number above 0, got '0'; "
                     "e.g. 'max_co2_g: 2' (grams over all trials)",
                     "quickstart.yaml:9:14: search.timeout_s must be a number above 0, got '-5'; "
                     "e.g. 'timeout_s: 3600' (seconds over all trials)"}));
}

TEST(SearchReaderTest, PruningTwoObjectivesIsAnError) {
  EXPECT_EQ(ErrorsOf(R"(  parameters: {lr: {float: [0.001, 0.1]}}
  objectives: [accuracy, energy_wh]
  pruner: {type: median, startup_trials: 2}
)"),
            (Strings{"quickstart.yaml:5:11: Optuna prunes single-objective studies only: with "
                     "two objectives use 'pruner: none' (or leave pruner out), or keep one "
                     "objective"}));
}

TEST(SearchReaderTest, NoMatrixOrRepetitionsBesideASearch) {
  EXPECT_EQ(ReadText(R"(suite: q
repetitions: 3
matrix: {lr: [0.1]}
search:
  parameters: {lr: {float: [0.001, 0.1]}}
  objectives: [accuracy]
)")
                .errors,
            (Strings{"quickstart.yaml:3:1: a suite has a matrix or a search, not both: the "
                     "search's parameters are its axes (run --grid runs their grid); move fixed "
                     "values to 'defaults:' and remove 'matrix:'",
                     "quickstart.yaml:2:14: repetitions: 3 does not apply to a search: each trial "
                     "runs once (Optuna compares trials, not repeats); remove 'repetitions' or "
                     "set it to 1"}));
  // repetitions: 1 is what a search runs anyway.
  EXPECT_EQ(ReadText(R"(suite: q
repetitions: 1
search:
  parameters: {lr: {float: [0.001, 0.1]}}
  objectives: [accuracy]
)")
                .errors,
            Strings{});
}

TEST(SearchReaderTest, SearchIsAKnownTopLevelKey) {
  EXPECT_EQ(ReadText("suite: q\nserach: {}\n").errors,
            (Strings{"quickstart.yaml:2:1: unknown top-level key 'serach' (did you mean "
                     "'search'?)"}));
  EXPECT_FALSE(ReadText("suite: q\n").doc.search.present);
}

}  // namespace
}  // namespace carbonbench
