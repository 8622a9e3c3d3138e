// The suite as read from YAML, every value checked and type-normalized, but
// the matrix not yet expanded. Shared by the reader, the matrix and the cell
// builder.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "carbonbench/params.h"
#include "suites/search_settings.h"
#include "suites/suite.h"
#include "suites/suite_errors.h"

namespace carbonbench::detail {

// One setting's value and where it was written (for later error messages).
struct SettingValue {
  ParamValue value;  // optimizations: names joined by '+'
  Loc loc;           // the value
  Loc key_loc;       // its key
};
using SettingMap = std::map<std::string, SettingValue>;

struct MatrixAxis {
  std::string key;
  Loc loc;  // the key
  std::vector<SettingValue> values;
};

// One include or exclude object.
struct MatrixEntry {
  Loc loc;
  SettingMap values;
};

struct MatrixSpec {
  bool present = false;
  Loc loc;                       // the 'matrix' key
  std::vector<MatrixAxis> axes;  // in the order written
  std::vector<MatrixEntry> exclude;
  std::vector<MatrixEntry> include;
};

// The most cells a suite makes unless it says otherwise (`max_cells:`), and
// the most it may say. A matrix is easy to grow by accident (five axes of
// twenty values are 3.2 million cells); like GitHub Actions' 256 jobs per
// matrix, the cap turns that into a message instead of hours of expansion.
inline constexpr std::int64_t kDefaultMaxCells = 4096;
inline constexpr std::int64_t kHardMaxCells = 1000000;

// The `search:` block as read (search_reader.h): its settings, checked, and
// where each part was written, for errors found later (an unknown trial
// value, a matrix beside it).
struct SearchDocument {
  bool present = false;
  Loc loc;  // the 'search' key
  SearchSettings settings;
  std::vector<Loc> parameter_locs;  // one per settings.parameters entry: its key
};

struct SuiteDocument {
  std::string name;
  std::int64_t max_cells = kDefaultMaxCells;
  std::string description;
  int repetitions = 1;
  CarbonSettings carbon;
  SamplerSuiteSettings sampler;
  LimitsSuiteSettings limits;
  InferenceSuiteSettings inference;
  std::vector<std::string> meters;  // without a 'meters' key: DefaultMeters()
  // Layers, lowest first: the top-level 'dataset', then 'defaults' (which may
  // override dataset keys, as `carbonbench train --set` does), then each
  // matrix combination.
  SettingMap dataset;
  SettingMap defaults;
  MatrixSpec matrix;
  SearchDocument search;
};

}  // namespace carbonbench::detail
