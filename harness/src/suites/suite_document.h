// The suite as read from YAML, every value checked and type-normalized, but
// the matrix not yet expanded. Shared by the reader, the matrix and the cell
// builder.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "carbonbench/params.h"
#include "suites/suite.h"
#include "suites/suite_errors.h"

namespace carbonbench::suite_internal {

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

struct SuiteDocument {
  std::string name;
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
};

}  // namespace carbonbench::suite_internal
