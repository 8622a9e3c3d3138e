// Loading a suite: parse YAML, read and check every value, expand the matrix,
// build the cells. Each stage records problems in one ErrorList so the user
// sees all of them at once.
#include "suites/suite.h"

#include <algorithm>
#include <filesystem>
#include <limits>
#include <sstream>
#include <string_view>
#include <system_error>
#include <tuple>

#include <fmt/format.h>
#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/yaml.h>

#include "carbonbench/utf8.h"
#include "suites/cell_builder.h"
#include "suites/matrix.h"
#include "suites/search_cells.h"
#include "suites/settings_schema.h"
#include "suites/suite_errors.h"
#include "suites/suite_reader.h"
#include "suites/yaml_limits.h"
#include "util/regular_file.h"
#include "util/strings.h"

namespace carbonbench {

SuiteError::SuiteError(std::vector<std::string> messages)
    : std::runtime_error(JoinStrings(messages, "\n")), messages_(std::move(messages)) {}

std::vector<std::string> DefaultMeters(const PluginCatalog& catalog) {
  std::vector<const PluginCatalogEntry*> meters;
  for (const PluginCatalogEntry& entry : catalog) {
    if (entry.kind == PluginKind::kMeter && entry.meter_traits.default_on) meters.push_back(&entry);
  }
  // Ties broken by name, so the order (and so the config hash) never
  // depends on the order the plugins were found in.
  std::sort(meters.begin(), meters.end(), [](const auto* a, const auto* b) {
    return std::tie(a->meter_traits.default_rank, a->name) <
           std::tie(b->meter_traits.default_rank, b->name);
  });
  std::vector<std::string> names;
  for (const auto* meter : meters) names.push_back(meter->name);
  return names;
}

CellMatrix::CellMatrix(std::shared_ptr<const detail::CellFactory> factory,
                       std::vector<std::uint32_t> combinations)
    : factory_(std::move(factory)), combinations_(std::move(combinations)) {}

Cell CellMatrix::At(std::size_t position) const {
  if (position >= combinations_.size()) {
    throw std::out_of_range(
        fmt::format("cell {} asked of a suite of {} cells", position, combinations_.size()));
  }
  return factory_->Make(combinations_[position]);
}

const ParamValue& Cell::Get(const std::string& key) const {
  const auto it = settings.find(key);
  if (it == settings.end())
    throw std::out_of_range(fmt::format("setting '{}' is not in cell '{}'", key, name));
  return it->second;
}

std::map<std::string, ParamValue> Cell::PluginParams(const std::string& plugin) const {
  const std::string prefix = plugin + ".";
  std::map<std::string, ParamValue> params;
  // Keys are sorted, so one plugin's keys form a contiguous range.
  for (auto it = settings.lower_bound(prefix);
       it != settings.end() && it->first.compare(0, prefix.size(), prefix) == 0; ++it) {
    params.emplace(it->first.substr(prefix.size()), it->second);
  }
  return params;
}

const std::vector<ParamSpec>& TrainingSettingSpecs() {
  static const std::vector<ParamSpec> specs = {
      // Default: the installed model that declares itself the default.
      StringParam("model", "", "model plugin to train"),
      IntParam("epochs", 5, "passes over the training set", 1),
      IntParam("batch_size", 64, "examples per training step", 1, 65536),
      // The learning rate must be positive; ParamSpec has no exclusive
      // minimum, so the smallest sensible value stands in for "> 0".
      FloatParam("lr", 0.001, "learning rate", 1e-12, 10.0),
      EnumParam("optimizer", "adam", {"sgd", "adam", "adamw"}, "optimizer"),
      FloatParam("momentum", 0.9, "momentum (sgd only)", 0.0, 1.0),
      FloatParam("weight_decay", 0.0, "L2 weight decay", 0.0, 1.0),
      BoolParam("nesterov", false, "Nesterov momentum (sgd with momentum > 0 only)"),
      EnumParam("lr_schedule", "constant", {"constant", "step", "cosine", "one_cycle"},
                "learning-rate schedule over the whole run, updated every step"),
      IntParam("warmup_epochs", 0, "linear learning-rate warm-up before constant, step or cosine",
               0),
      IntParam("lr_step_epochs", 10, "step schedule: epochs between decays", 1),
      FloatParam("lr_gamma", 0.1, "step schedule: factor at each decay", 0.0, 1.0),
      FloatParam("label_smoothing", 0.0, "classifiers: share of the target spread over classes",
                 0.0, 0.99),
      IntParam("grad_accumulation", 1, "batches whose gradients add up before each optimizer step",
               1, 1024),
      IntParam("eval_batch_size", 0,
               "examples per evaluation batch (0: batch_size, which on CPU is about as fast "
               "per sample as any and far faster than very large ones)",
               0, 65536),
      // Stored as int64 with the repetition added; 2^53 - 1 is also the
      // largest integer every JSON reader of the exports holds exactly.
      IntParam("seed", 42, "random seed for initialization and shuffling", 0, 9007199254740991.0),
      IntParam("threads", 0, "CPU threads for training (0: all cores)", 0),
      EnumParam("allocator", "auto", {"auto", "tcmalloc", "glibc"},
                "malloc of the cell's process: tcmalloc (Debian's libtcmalloc-minimal4, "
                "preloaded), glibc, or auto: tcmalloc where installed, else glibc"),
      BoolParam("malloc_tuning", true,
                "under glibc's malloc, raise its mmap and trim thresholds to 256 MiB in the "
                "cell's process (false: glibc's defaults, as a plain program runs)"),
      BoolParam("flush_denormal", true,
                "treat denormal floats as zero (FTZ/DAZ) in the training thread, sparing their "
                "slow path"),
      BoolParam("channels_last", true,
                "image models: conv weights and batches in channels-last (NHWC) layout, which "
                "libtorch's oneDNN convolutions run faster (false: the default NCHW)"),
      EnumParam("device", "auto", {"auto", "cpu", "cuda"},
                "where to train (auto: cuda when available)"),
  };
  return specs;
}

const std::vector<ParamSpec>& DatasetSettingSpecs() {
  static const std::vector<ParamSpec> specs = {
      StringParam("dataset", "fashion_mnist", "dataset name"),
      StringParam("dataset.path", "",
                  "directory holding the dataset files (empty: the standard place)"),
      IntParam("dataset.train_size", 0, "training examples to use (0: all)", 0),
      IntParam("dataset.test_size", 0, "test examples to use (0: all)", 0),
      // Images.
      BoolParam("dataset.augment", false,
                "images: random crop after padding and horizontal flip, training batches only"),
      IntParam("dataset.crop_padding_px", 4, "images: padding before the random crop", 0, 64),
      BoolParam("dataset.normalize", true, "images: per-channel standardisation"),
      // Text.
      IntParam("dataset.max_length", 128, "text: tokens per sample, [CLS] and [SEP] included", 8,
               4096),
      StringParam("dataset.vocab", "",
                  "text: a WordPiece vocab.txt (empty: the model's pretrained folder's, or one "
                  "built from the training split)"),
      IntParam("dataset.vocab_size", 8000,
               "text: size of a vocabulary built from the training split", 16, 1000000),
      StringParam("dataset.categories", "",
                  "fortunes: comma-separated category files to classify (empty: the default set)"),
      FloatParam("dataset.test_fraction", 0.2,
                 "held out for testing where the data has no test split", 0.01, 0.9),
      // Time series.
      IntParam("dataset.window", 52, "series: past values in each input window", 1, 100000),
      IntParam("dataset.horizon", 1, "series: steps ahead of the window's end to predict", 1,
               100000),
      StringParam("dataset.value_column", "",
                  "series: CSV column with the values (empty: the second)"),
  };
  return specs;
}

const ParamSpec& RepetitionsSpec() {
  // Nobody repeats a cell a million times; the cap also keeps seed +
  // repetition far from overflowing.
  static const ParamSpec spec = IntParam("repetitions", 1, "runs per cell", 1, 1000000);
  return spec;
}

Suite LoadSuiteText(const std::string& yaml_text, const std::string& source,
                    const PluginCatalog& catalog, SuiteTextOrigin origin) {
  using namespace detail;  // NOLINT(build/namespaces): local helpers
  ErrorList errors(source, origin == SuiteTextOrigin::kWrittenByUser);
  if (yaml_text.size() > kMaxSuiteTextBytes) {
    errors.Add({}, "the suite is " + std::to_string(yaml_text.size()) + " bytes long; at most " +
                       std::to_string(kMaxSuiteTextBytes) +
                       " are read (a suite is a few kilobytes)");
    errors.ThrowIfAny();
  }
  // yaml-cpp passes invalid bytes through; the cells' JSON could not hold them.
  if (const auto offset = FirstInvalidUtf8Byte(yaml_text)) {
    const std::string_view before(yaml_text.data(), *offset);
    const std::size_t newline = before.rfind('\n');
    const Loc loc{
        static_cast<int>(std::count(before.begin(), before.end(), '\n')),
        static_cast<int>(newline == std::string_view::npos ? *offset : *offset - newline - 1)};
    errors.Add(loc, fmt::format("byte 0x{:02X} is not UTF-8; save the file as UTF-8",
                                static_cast<unsigned char>(yaml_text[*offset])));
    errors.ThrowIfAny();
  }
  YAML::Node root;
  try {
    root = YAML::Load(yaml_text);
  } catch (const YAML::DeepRecursion& e) {
    // yaml-cpp's own guard, far deeper than ours, calls this "bad file".
    errors.Add(LocOf(e.mark), "the YAML here is nested more than " + std::to_string(kMaxYamlDepth) +
                                  " levels deep (a suite needs a few; look for unclosed brackets)");
    errors.ThrowIfAny();
  } catch (const YAML::Exception& e) {
    errors.Add(LocOf(e.mark), "YAML syntax error: " + e.msg +
                                  " (check indentation, brackets and quotes "
                                  "here or just above)");
    errors.ThrowIfAny();
  }
  if (!CheckYamlShape(root, errors)) errors.ThrowIfAny();
  // Code files a suite names are found next to it; a command line's, where
  // it runs.
  const std::string relative_to =
      origin == SuiteTextOrigin::kWrittenByUser
          ? std::filesystem::absolute(std::filesystem::path(source)).parent_path().string()
          : "";
  const SettingsSchema schema(catalog, relative_to);
  const SuiteDocument doc = ReadSuiteDocument(root, schema, errors);
  // Expansion assumes well-formed values; stopping here also avoids
  // follow-on errors that would only repeat the ones above.
  errors.ThrowIfAny();
  const std::uint64_t count = CountCombinations(doc.matrix);
  if (count > static_cast<std::uint64_t>(doc.max_cells)) {
    errors.Add(doc.matrix.loc,
               "the matrix makes up to " +
                   (count == std::numeric_limits<std::uint64_t>::max() ? std::string("2^64")
                                                                       : std::to_string(count)) +
                   " cells (" + CombinationCountText(doc.matrix) + "), above the cap of " +
                   std::to_string(doc.max_cells) +
                   "; remove axis values, or raise the cap with a top-level 'max_cells: N' (at "
                   "most " +
                   std::to_string(kHardMaxCells) + ")");
    errors.ThrowIfAny();
  }
  CellMatrix cells;
  std::shared_ptr<const CellFactory> trial_factory;
  std::string grid_problem;
  if (doc.search.present) {
    trial_factory = MakeTrialFactory(doc, catalog, errors);
    errors.ThrowIfAny();
    cells = BuildSearchGrid(doc, catalog, errors, &grid_problem);
  } else {
    cells = BuildCellMatrix(doc, catalog, errors);
  }
  errors.ThrowIfAny();

  Suite suite;
  suite.name = doc.name;
  suite.description = doc.description;
  suite.source = source;
  suite.repetitions = doc.repetitions;
  suite.carbon = doc.carbon;
  suite.sampler = doc.sampler;
  suite.limits = doc.limits;
  suite.inference = doc.inference;
  suite.meters = doc.meters;
  suite.text = yaml_text;
  suite.generated = origin == SuiteTextOrigin::kGeneratedText;
  suite.cells = std::move(cells);
  if (doc.search.present) suite.search = doc.search.settings;
  suite.grid_problem = std::move(grid_problem);
  suite.trial_factory = std::move(trial_factory);
  return suite;
}

std::string ReadSuiteFileText(const std::string& path) {
  try {
    return ReadRegularFile(path, "suite file",
                           static_cast<std::int64_t>(detail::kMaxSuiteTextBytes));
  } catch (const std::runtime_error& error) {
    throw SuiteError({error.what()});
  }
}

Suite LoadSuiteFile(const std::string& path, const PluginCatalog& catalog) {
  const std::string text = ReadSuiteFileText(path);
  return LoadSuiteText(text, path, catalog);
}

}  // namespace carbonbench
