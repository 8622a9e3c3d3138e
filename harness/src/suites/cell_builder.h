// Combinations -> Cells: defaults overlaid by each combination, every default
// filled in, names given, duplicates caught, hashes computed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "suites/matrix.h"
#include "suites/settings_schema.h"
#include "suites/suite_document.h"
#include "suites/suite_errors.h"

namespace carbonbench::detail {

// Makes the cell of one matrix combination on demand. It keeps its own copy
// of the catalog, so the cells outlive the one the suite was read with.
class CellFactory {
 public:
  CellFactory(const SuiteDocument& doc, const PluginCatalog& catalog, ErrorList& errors);
  CellFactory(const CellFactory&) = delete;
  CellFactory& operator=(const CellFactory&) = delete;

  std::size_t combination_count() const { return combinations_.size(); }

  // The cell of combination `position`, named, its config hashed. Checks
  // every combination passes are made once, by BuildCellMatrix.
  Cell Make(std::size_t position) const;

  // Everything a combination makes, before naming: the cell, what the suite
  // set for it beyond its settings, and where it came from.
  struct Candidate {
    Cell cell;
    // Parameters of plugins the cell does not run. With the settings
    // (one-to-one with config_json) it is everything the suite said: two
    // candidates equal in both are a repeated entry.
    std::map<std::string, ParamValue> extra;
    Loc origin;
  };
  Candidate MakeCandidate(std::size_t position, ErrorList& errors) const;
  // The same for settings given apart from the matrix (a search trial's).
  Candidate MakeCandidateFrom(const Combination& combination, ErrorList& errors) const;
  // Names the candidate's cell from the keys that vary among its model's
  // cells (set once every combination has been seen).
  void Name(Cell* cell) const;
  // Names it by its model, optimizations and the values of `keys` it holds.
  void NameByKeys(Cell* cell, const std::vector<std::string>& keys) const;
  void SetVaryingKeys(std::map<std::string, std::vector<std::string>> varying) {
    varying_ = std::move(varying);
  }

 private:
  const std::vector<ParamSpec>& PluginSpecs(const std::string& plugin) const;
  // Setting key -> digest, for each code file the cell's settings name.
  std::map<std::string, std::string> CodeFileDigests(const Cell& cell) const;

  const PluginCatalog catalog_;
  const SettingsSchema schema_;
  const MatrixCombinations combinations_;
  const SettingMap base_;
  const std::vector<std::string> meters_;
  const CarbonSettings carbon_;
  const std::map<std::string, ParamValue> added_later_;
  std::map<std::string, std::vector<ParamSpec>> plugin_specs_;  // every catalog plugin's
  std::map<std::string, std::vector<std::string>> varying_;     // by model
  // Digests of the code files cells name, by path: each file is read once.
  mutable std::mutex digest_mutex_;
  mutable std::map<std::string, std::string> digests_;
};

// Every combination made once, one at a time, to name the cells, report
// repeated entries and keep the first of cells that are the same; what is
// kept is each cell's combination position.
CellMatrix BuildCellMatrix(const SuiteDocument& doc, const PluginCatalog& catalog,
                           ErrorList& errors);

}  // namespace carbonbench::detail
