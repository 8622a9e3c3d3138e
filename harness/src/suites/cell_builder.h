// Combinations -> Cells: defaults overlaid by each combination, every default
// filled in, names given, duplicates caught, hashes computed.
#pragma once

#include <vector>

#include "suites/matrix.h"
#include "suites/settings_schema.h"
#include "suites/suite_document.h"
#include "suites/suite_errors.h"

namespace carbonbench::suite_internal {

std::vector<Cell> BuildCells(const SuiteDocument& doc, const std::vector<Combination>& combinations,
                             const SettingsSchema& schema, ErrorList& errors);

}  // namespace carbonbench::suite_internal
