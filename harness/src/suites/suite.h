// A declarative suite: YAML in, validated and expanded cells out. Nothing in
// here runs anything; every error is found before the first cell starts.
#pragma once

#include <cstddef>
#include <cstdint>
#include <iterator>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "carbonbench/declarations.h"
#include "carbonbench/meter_traits.h"
#include "carbonbench/params.h"
#include "carbonbench/plugin.h"
#include "suites/search_settings.h"

namespace carbonbench {

// What the validator knows about installed plugins (from the loader).
struct PluginCatalogEntry {
  std::string name;
  PluginKind kind = PluginKind::kModel;
  std::vector<ParamSpec> params;
  std::vector<std::string> conflicts_with;       // optimizations only
  std::string unavailable_reason;                // optimizations only; empty: usable
  OptimizationDeclaration declaration;           // optimizations only
  bool default_model = false;                    // models only: trained when none is named
  MeterTraits meter_traits;                      // meters only
  std::vector<MissingFeature> missing_features;  // models only: refused optimizations
};
using PluginCatalog = std::vector<PluginCatalogEntry>;

// Thrown with every problem found, one per line, each formatted as
// "file:line:col: message" (1-based line and column).
class SuiteError : public std::runtime_error {
 public:
  explicit SuiteError(std::vector<std::string> messages);
  const std::vector<std::string>& messages() const { return messages_; }

 private:
  std::vector<std::string> messages_;
};

// One resolved cell of the cross-product.
//
// `settings` is flat, with dotted keys for nested things, and holds every
// setting with its default filled in:
//   training: model, epochs, batch_size, lr, optimizer, momentum,
//             weight_decay, seed, threads, device
//   dataset:  dataset (its name), dataset.path, dataset.train_size,
//             dataset.test_size
//   plugins:  "<plugin>.<param>" for the chosen model, every listed
//             optimization and every meter (defaults from their ParamSpecs)
struct Cell {
  std::string name;  // e.g. "convnet/half+stopper/lr=0.01"
  std::map<std::string, ParamValue> settings;
  std::vector<std::string> optimizations;  // in the order given

  // Canonical JSON of settings + optimizations (+ the suite's carbon and
  // meters, which change the figures): keys sorted, no whitespace.
  std::string config_json;
  // Hex digest of config_json (stable across runs and machines).
  std::string config_hash;

  const ParamValue& Get(const std::string& key) const;
  // The parameters of one plugin, prefix stripped: "stopper.patience" ->
  // "patience".
  std::map<std::string, ParamValue> PluginParams(const std::string& plugin) const;
};

namespace detail {
class CellFactory;
}

// A suite's cells, in order, each made when asked for: what is held per cell
// is its place in the matrix (a few bytes), not its settings, so a big matrix
// costs memory in proportion to its count only. Make a cell once per use and
// let it go; cells made twice are equal.
class CellMatrix {
 public:
  CellMatrix() = default;
  CellMatrix(std::shared_ptr<const detail::CellFactory> factory,
             std::vector<std::uint32_t> combinations);

  std::size_t size() const { return combinations_.size(); }
  bool empty() const { return combinations_.empty(); }
  // Throws std::out_of_range past the end.
  Cell At(std::size_t position) const;
  Cell at(std::size_t position) const { return At(position); }
  Cell operator[](std::size_t position) const { return At(position); }

  class const_iterator {
   public:
    using iterator_category = std::input_iterator_tag;
    using value_type = Cell;
    using difference_type = std::ptrdiff_t;
    using pointer = void;
    using reference = Cell;
    const_iterator(const CellMatrix* cells, std::size_t position)
        : cells_(cells), position_(position) {}
    Cell operator*() const { return cells_->At(position_); }
    const_iterator& operator++() {
      ++position_;
      return *this;
    }
    bool operator==(const const_iterator& other) const { return position_ == other.position_; }
    bool operator!=(const const_iterator& other) const { return position_ != other.position_; }

   private:
    const CellMatrix* cells_;
    std::size_t position_;
  };
  const_iterator begin() const { return {this, 0}; }
  const_iterator end() const { return {this, size()}; }

 private:
  std::shared_ptr<const detail::CellFactory> factory_;
  std::vector<std::uint32_t> combinations_;  // each cell's position among the matrix's
};

struct CarbonSettings {
  // ISO-2, ISO-3, a subdivision (IN-TN, US-CA, CA-QC), a Nordic zone (SE3) or
  // a cloud region (gcp:europe-west1, aws:us-east-1, azure:westeurope).
  std::string region = "WORLD";
  std::optional<double> pue;                  // unset: 1.0, or the cloud provider's published PUE
  std::optional<double> intensity_g_per_kwh;  // replaces the region's figure
  std::string intensity_csv;                  // hourly intensity (timestamp,g_per_kwh), optional
  // Where the report shows each cell's CO2 had it run elsewhere, from the same
  // energy. Not part of any cell's configuration: it changes no figure.
  std::vector<std::string> compare_regions;
};

// How the energy sampler runs; neither changes a run's figures.
struct SamplerSuiteSettings {
  int interval_ms = 100;
  // Seconds of idle power measured before the first cell, so reports can
  // tell the energy a run caused from what the machine draws anyway.
  double idle_baseline_s = 0;
};

// What each cell's child process may use before it is stopped and recorded
// as failed; neither changes a run's figures.
struct LimitsSuiteSettings {
  double cell_timeout_s = 24 * 3600;  // wall time of one cell repetition
  // Resident memory of one cell's process; 0: 90% of the machine's memory.
  std::int64_t cell_memory_mb = 0;
};

// The inference phase measured after each cell's training: a Google
// Benchmark-style loop per batch size (warm-up, then iterations until both
// minimums are met). Not part of a cell's configuration: it changes no
// training figure.
struct InferenceSuiteSettings {
  bool enabled = true;
  std::vector<std::int64_t> batch_sizes = {1, 64};
  int warmup_iterations = 3;
  double min_time_s = 0.5;  // per batch size
  int min_iterations = 10;  // per batch size, so p99 has samples to stand on
};

// The meters a suite without a 'meters' list uses: every meter in the
// catalog that declares itself on by default, by its declared rank (then by
// name). Tried in order per component.
std::vector<std::string> DefaultMeters(const PluginCatalog& catalog);

struct Suite {
  std::string name;
  std::string description;
  std::string source;  // file path, or "command line"
  int repetitions = 1;
  CarbonSettings carbon;
  SamplerSuiteSettings sampler;
  LimitsSuiteSettings limits;
  InferenceSuiteSettings inference;
  std::vector<std::string> meters;  // ordered; default DefaultMeters(catalog)
  // A suite with a `search:` block runs Optuna's trials (MakeTrialCell);
  // its `cells` are then the search space's equivalent grid (`run --grid`),
  // or none, with grid_problem saying why (a float parameter, too many).
  CellMatrix cells;
  std::optional<SearchSettings> search;
  std::string grid_problem;
  std::shared_ptr<const detail::CellFactory> trial_factory;
  // The YAML it was read from, so a cell's child process reads the same.
  std::string text;
  bool generated = false;  // text made from a command line (SuiteTextOrigin)
};

// The cell of one search trial: the suite's settings overlaid by `values`
// (each search parameter's key and the value Optuna chose, as
// SearchDistribution holds it: a double, an int64, or one of the choices),
// named by its model, optimizations and the parameters' values. Throws
// std::invalid_argument for a key that is not one of the search's
// parameters or a value outside its distribution.
Cell MakeTrialCell(const Suite& suite, const std::map<std::string, ParamValue>& values);

// The training and dataset keys with their types, defaults, ranges and docs.
// (Plugin keys come from the catalog.)
const std::vector<ParamSpec>& TrainingSettingSpecs();
const std::vector<ParamSpec>& DatasetSettingSpecs();
// The suite's 'repetitions' (also `train --repetitions`).
const ParamSpec& RepetitionsSpec();

// The suite file's text. A FIFO, a device or a folder is refused by name
// without waiting on it, and so is a file above kMaxSuiteTextBytes (16 MiB;
// a suite is a few kilobytes). Throws SuiteError.
std::string ReadSuiteFileText(const std::string& path);
Suite LoadSuiteFile(const std::string& path, const PluginCatalog& catalog);
// `source` names the text in error messages. Text generated from a command
// line passes kGeneratedText: its errors then name the source only
// ("train: epochs = 0 is below its minimum 1"), not lines the user never saw.
enum class SuiteTextOrigin { kWrittenByUser, kGeneratedText };
Suite LoadSuiteText(const std::string& yaml_text, const std::string& source,
                    const PluginCatalog& catalog,
                    SuiteTextOrigin origin = SuiteTextOrigin::kWrittenByUser);

}  // namespace carbonbench
