// `carbonbench train`: the single-run command line users know, turned into a
// one-cell suite that runs through the same validation, runner and store.
#include <algorithm>
#include <cstdio>
#include <deque>
#include <memory>
#include <tuple>

#include <fmt/format.h>
#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/yaml.h>

#include "cli/commands.h"
#include "suites/integer_setting.h"
#include "suites/suite.h"

namespace carbonbench::cli {
namespace {

// A flag an installed optimization declares, and what the command line gave.
struct OptimizationFlag {
  CommandLineFlag flag;
  std::string optimization;
  int order = 50;
  bool switched_on = false;
  double number = 0;
  std::string text;
};

struct TrainArguments {
  std::string suite = "train";
  std::string model;  // empty: the default model
  std::string dataset = "fashion_mnist";
  std::string dataset_path;
  std::int64_t train_size = 0;
  std::int64_t test_size = 0;
  std::int64_t epochs = 5;
  std::int64_t batch_size = 64;
  double lr = 0.001;
  std::string optimizer = "adam";
  std::int64_t seed = 42;
  std::int64_t threads = 0;
  std::string device = "auto";
  // Declared by the installed optimizations; a deque, as CLI11 keeps
  // pointers to the values.
  std::deque<OptimizationFlag> optimization_flags;
  // The plugins they came from, kept loaded until the program ends.
  std::shared_ptr<const PluginRegistry> flag_plugins;
  std::string region = "WORLD";
  double pue = 0;        // 0: 1.0, or the cloud provider's published PUE
  double intensity = 0;  // 0: the region's
  std::string intensity_csv;
  std::vector<std::string> meters;  // empty: the defaults
  std::int64_t repetitions = 1;
  std::vector<std::string> sets;  // key=value
  bool fresh = false;
  std::string models_dir;  // empty: beside the store
};

// Refuses an integer flag outside what its setting accepts, before CLI11
// converts it: "--epochs: epochs = 2147483648 is above its maximum ...".
CLI::Validator IntegerOf(const ParamSpec& spec) {
  return CLI::Validator([spec](std::string& text) { return CheckIntegerText(spec, text); }, "",
                        spec.name);
}

const ParamSpec& SettingSpec(const std::string& key) {
  for (const auto* specs : {&TrainingSettingSpecs(), &DatasetSettingSpecs()})
    for (const ParamSpec& spec : *specs)
      if (spec.name == key) return spec;
  throw std::logic_error("no setting named " + key);
}

// "90", "90s", "30m", "1.5h" -> seconds; `flag` names the option in errors.
double ParseDuration(const std::string& flag, const std::string& text) {
  if (text.empty()) return 0;
  std::size_t used = 0;
  double number = 0;
  try {
    number = std::stod(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  const std::string unit = text.substr(used);
  double scale = 0;
  if (unit.empty() || unit == "s") scale = 1;
  if (unit == "m" || unit == "min") scale = 60;
  if (unit == "h") scale = 3600;
  if (used == 0 || scale == 0 || number < 0) {
    throw std::runtime_error(
        fmt::format("{} '{}' is not a duration: write seconds (1800), or 30m, 1.5h", flag, text));
  }
  return number * scale;
}

// A --set value read as YAML, so "lr=0.01" is a number and "opts=[a, b]" a
// list; what YAML cannot read is refused naming the flag, not yaml-cpp.
YAML::Node SetValue(const std::string& key, const std::string& value) {
  try {
    return YAML::Load(value);
  } catch (const YAML::DeepRecursion&) {
    throw std::runtime_error(
        fmt::format("--set {}=...: the value is nested too deep to be a setting", key));
  } catch (const YAML::Exception& e) {
    throw std::runtime_error(fmt::format("--set {}={}: the value is not valid YAML ({})", key,
                                         value.size() > 40 ? value.substr(0, 40) + "..." : value,
                                         e.msg));
  }
}

// Writes the arguments as suite YAML; --set values are emitted as written so
// the suite parser types and validates them like any suite value, and a --set
// of a key that a flag also sets wins.
std::string ToSuiteYaml(const TrainArguments& a) {
  YAML::Node suite;
  suite["suite"] = a.suite;
  suite["description"] = "single runs from `carbonbench train`";
  YAML::Node dataset;
  dataset["name"] = a.dataset;
  if (!a.dataset_path.empty()) dataset["path"] = a.dataset_path;
  dataset["train_size"] = a.train_size;
  dataset["test_size"] = a.test_size;
  suite["dataset"] = dataset;

  YAML::Node defaults;
  if (!a.model.empty()) defaults["model"] = a.model;
  defaults["epochs"] = a.epochs;
  defaults["batch_size"] = a.batch_size;
  defaults["lr"] = a.lr;
  defaults["optimizer"] = a.optimizer;
  defaults["seed"] = a.seed;
  defaults["threads"] = a.threads;
  defaults["device"] = a.device;
  // Each optimization a flag turned on, in the order they run.
  std::vector<const OptimizationFlag*> given;
  for (const auto& each : a.optimization_flags) {
    const bool on = (each.flag.value == FlagValue::kSwitch && each.switched_on) ||
                    (each.flag.value == FlagValue::kNumber && each.number > 0) ||
                    (each.flag.value == FlagValue::kDuration && !each.text.empty());
    if (on) given.push_back(&each);
  }
  std::stable_sort(given.begin(), given.end(), [](const auto* x, const auto* y) {
    return std::tie(x->order, x->optimization) < std::tie(y->order, y->optimization);
  });
  YAML::Node optimizations(YAML::NodeType::Sequence);
  std::vector<std::string> listed;
  for (const OptimizationFlag* each : given) {
    if (std::find(listed.begin(), listed.end(), each->optimization) != listed.end()) continue;
    listed.push_back(each->optimization);
    optimizations.push_back(each->optimization);
  }
  defaults["optimizations"] = optimizations;
  for (const OptimizationFlag* each : given) {
    const std::string key = each->optimization + "." + each->flag.param;
    if (each->flag.value == FlagValue::kNumber) defaults[key] = each->number;
    if (each->flag.value == FlagValue::kDuration) {
      defaults[key] = ParseDuration(each->flag.name, each->text);
    }
  }
  for (const auto& assignment : a.sets) {
    const auto [key, value] = SplitAssignment(assignment, "lr=0.01");
    defaults[key] = SetValue(key, value);
  }
  suite["defaults"] = defaults;
  suite["repetitions"] = a.repetitions;
  suite["carbon"]["region"] = a.region;
  if (a.pue > 0) suite["carbon"]["pue"] = a.pue;
  if (a.intensity > 0) suite["carbon"]["intensity_g_per_kwh"] = a.intensity;
  if (!a.intensity_csv.empty()) suite["carbon"]["intensity_csv"] = a.intensity_csv;
  if (!a.meters.empty()) suite["meters"] = a.meters;
  return YAML::Dump(suite);
}

// Adds every flag the installed optimizations declare. A plugin that fails to
// load adds none here: running then reports it in full.
void AddOptimizationFlags(const GlobalOptions& global, CLI::App& command, TrainArguments& a) {
  try {
    a.flag_plugins = std::make_shared<const PluginRegistry>(LoadPlugins(global));
  } catch (const std::exception&) {
    return;
  }
  for (const auto& plugin : a.flag_plugins->plugins()) {
    if (plugin.kind != PluginKind::kOptimization) continue;
    for (const CommandLineFlag& flag : plugin.declaration.command_line_flags) {
      auto& each = a.optimization_flags.emplace_back();
      each.flag = flag;
      each.optimization = plugin.name;
      each.order = plugin.order;
      switch (flag.value) {
        case FlagValue::kSwitch:
          command.add_flag(flag.name, each.switched_on, flag.help);
          break;
        case FlagValue::kNumber:
          command.add_option(flag.name, each.number, flag.help);
          break;
        case FlagValue::kDuration:
          command.add_option(flag.name, each.text, flag.help);
          break;
      }
    }
  }
}

}  // namespace

void AddTrainCommand(CLI::App& app, GlobalOptions& global) {
  auto* command = app.add_subcommand(
      "train", "train one model once (a one-cell suite, stored and reported like any other)");
  auto a = std::make_shared<TrainArguments>();
  command->add_option("--model", a->model, "model plugin (default: the default model)");
  command->add_option("--dataset", a->dataset, "dataset name")->capture_default_str();
  command->add_option("--dataset_path", a->dataset_path, "folder holding the dataset files");
  command->add_option("--train_size", a->train_size, "training examples (0: all)")
      ->capture_default_str()
      ->check(IntegerOf(SettingSpec("dataset.train_size")));
  command->add_option("--test_size", a->test_size, "test examples (0: all)")
      ->capture_default_str()
      ->check(IntegerOf(SettingSpec("dataset.test_size")));
  command->add_option("--epochs", a->epochs, "epochs")
      ->capture_default_str()
      ->check(IntegerOf(SettingSpec("epochs")));
  command->add_option("--batch_size", a->batch_size, "batch size")
      ->capture_default_str()
      ->check(IntegerOf(SettingSpec("batch_size")));
  command->add_option("--lr", a->lr, "learning rate")->capture_default_str();
  command->add_option("--optimizer", a->optimizer, "sgd, adam or adamw")->capture_default_str();
  command->add_option("--seed", a->seed, "random seed")
      ->capture_default_str()
      ->check(IntegerOf(SettingSpec("seed")));
  command->add_option("--threads", a->threads, "torch threads (0: all cores)")
      ->capture_default_str()
      ->check(IntegerOf(SettingSpec("threads")));
  command->add_option("--device", a->device, "auto, cpu or cuda")->capture_default_str();
  // The installed optimizations' own flags (--fp16, ...), from the plugins
  // found through the options given before `train`.
  command->preparse_callback(
      [&global, command, a](std::size_t) { AddOptimizationFlags(global, *command, *a); });
  command
      ->add_option("--region", a->region,
                   "where the electricity comes from: ISO country code (FR, IND), "
                   "subdivision (IN-TN, US-CA, CA-QC), Nordic zone (SE3) or cloud "
                   "region (gcp:europe-west1, aws:us-east-1, azure:westeurope)")
      ->capture_default_str();
  command->add_option("--pue", a->pue,
                      "power usage effectiveness of the data centre (default 1.0, or the "
                      "cloud provider's published figure for a cloud region)");
  command->add_option("--intensity", a->intensity,
                      "carbon intensity in g CO2e/kWh, replacing the region's figure");
  command->add_option("--intensity_csv", a->intensity_csv,
                      "hourly carbon intensity: a CSV with the header timestamp,g_per_kwh");
  command
      ->add_option("--meters", a->meters,
                   "energy meters to try in order, per component (default: the installed "
                   "meters that are on by default, in their declared order; see "
                   "`carbonbench meters`)")
      ->delimiter(',');
  command->add_option("--repetitions", a->repetitions, "repetitions")
      ->capture_default_str()
      ->check(IntegerOf(RepetitionsSpec()));
  command->add_option("--set", a->sets,
                      "any setting or plugin parameter: key=value "
                      "(e.g. lr=0.01, PLUGIN.PARAM=VALUE); repeatable");
  command->add_option("--suite", a->suite, "suite name the run is stored and reported under")
      ->capture_default_str();
  command->add_flag("--fresh", a->fresh,
                    "run again even if this exact run is in the store (the earlier run is kept "
                    "as history)");
  command->add_option("--models-dir", a->models_dir,
                      "where trained weights go (default: a models folder beside the store, "
                      "results/models for results/carbonbench.db)");
  command->footer(
      "Options that start with --benchmark_ go to Google Benchmark, as with `run`:\n"
      "  --benchmark_out=FILE     write its JSON of the run (wall and CPU time in ms,\n"
      "                           energy_wh, co2_g, accuracy), which compare.py reads\n"
      "  --benchmark_out_format=json|csv|console\n"
      "  --benchmark_filter=REGEX run only the matching cell (named SUITE/CELL, e.g.\n"
      "                           train/mynet/baseline)");
  command->allow_extras();
  command->callback([&global, command, a] {
    PluginRegistry registry = LoadPlugins(global);
    const Suite suite = LoadSuiteText(ToSuiteYaml(*a), "train", registry.Catalog(),
                                      SuiteTextOrigin::kGeneratedText);
    RunOptions options;
    options.store_path = global.store_path;
    options.reports_dir = global.reports_dir;
    options.fresh = a->fresh;
    options.models_dir = a->models_dir;
    options.executable_path = global.executable_path;
    options.plugin_dirs = global.plugin_dirs;
    options.benchmark_args = command->remaining();
    global.exit_code = RunSuite(suite, registry, options);
  });
}

}  // namespace carbonbench::cli
