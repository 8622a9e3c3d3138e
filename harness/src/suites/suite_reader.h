// YAML -> SuiteDocument: structure, keys and every single value checked here,
// so the matrix and cell builder only see well-formed input.
#pragma once

#include <yaml-cpp/yaml.h>

#include "suites/settings_schema.h"
#include "suites/suite_document.h"
#include "suites/suite_errors.h"

namespace carbonbench::suite_internal {

// Reads what it can and records every problem in `errors`; the result is only
// meaningful when `errors` stayed empty.
SuiteDocument ReadSuiteDocument(const YAML::Node& root, const SettingsSchema& schema,
                                ErrorList& errors);

}  // namespace carbonbench::suite_internal
