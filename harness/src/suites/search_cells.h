// The cells of a suite with a `search:` block: one per trial, made from the
// values Optuna chose, and the search space's equivalent grid (every choice
// and every int step), which `run --grid` runs to compare a search with.
#pragma once

#include <memory>
#include <string>

#include "suites/cell_builder.h"
#include "suites/suite_document.h"

namespace carbonbench::detail {

// The factory of the suite's trial cells: its settings without a matrix.
// Errors in the defaults are added to `errors`.
std::shared_ptr<const CellFactory> MakeTrialFactory(const SuiteDocument& doc,
                                                    const PluginCatalog& catalog,
                                                    ErrorList& errors);

// The grid of the search's parameters as matrix axes; empty, with `problem`
// set, when a parameter is a float range or the grid is above the suite's
// max_cells.
CellMatrix BuildSearchGrid(const SuiteDocument& doc, const PluginCatalog& catalog,
                           ErrorList& errors, std::string* problem);

}  // namespace carbonbench::detail
