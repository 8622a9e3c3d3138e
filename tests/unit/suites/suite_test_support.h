// Shared fixtures for the suite tests: a small fixed plugin catalog, so the
// tests do not depend on which real plugins are built.
#pragma once

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "suites/suite.h"

namespace carbonbench::testing_support {

inline const PluginCatalog& TestCatalog() {
  static const PluginCatalog catalog = {
      {"cnn",
       PluginKind::kModel,
       {IntParam("channels", 32, "convolution channels", 1, 1024)},
       {},
       "",
       {},
       /*default_model=*/true},
      {"mlp", PluginKind::kModel, {IntParam("hidden", 128, "hidden units", 1)}, {}},
      {"mixed_precision",
       PluginKind::kOptimization,
       {EnumParam("dtype", "auto", {"auto", "bf16", "fp16"}, "compute type")},
       {}},
      {"early_stop",
       PluginKind::kOptimization,
       {IntParam("patience", 3, "epochs without gain", 1),
        FloatParam("target_acc", 0.0, "stop at this accuracy", 0.0, 100.0)},
       {}},
      // Fictitious: declares the conflict on one side only.
      {"quantize", PluginKind::kOptimization, {}, {"mixed_precision"}},
      {"cpu_estimate",
       PluginKind::kMeter,
       {FloatParam("tdp_w", 65.0, "package power", 1.0, 1000.0)},
       {},
       "",
       {/*default_on=*/true, /*default_rank=*/30, MeterScope::kProcess}},
  };
  return catalog;
}

inline Suite Load(const std::string& yaml) {
  return LoadSuiteText(yaml, "quickstart.yaml", TestCatalog());
}

// The messages of the SuiteError that loading `yaml` must throw.
inline std::vector<std::string> ErrorsOf(const std::string& yaml) {
  try {
    Load(yaml);
  } catch (const SuiteError& e) {
    return e.messages();
  }
  ADD_FAILURE() << "expected a SuiteError for:\n" << yaml;
  return {};
}

inline std::vector<std::string> CellNames(const Suite& suite) {
  std::vector<std::string> names;
  for (const auto& cell : suite.cells) names.push_back(cell.name);
  return names;
}

}  // namespace carbonbench::testing_support
