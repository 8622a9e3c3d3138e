// CodeCarbon's emissions.csv, one row per run, so dashboards and scripts
// written for CodeCarbon read carbonbench's results unchanged.
#pragma once

#include <string>
#include <vector>

#include "store/results_store.h"

namespace carbonbench::report {

// CodeCarbon v3's columns, in its order.
const std::vector<std::string>& EmissionsCsvColumns();

// The header and one row per finished run, in CodeCarbon's units: energy in
// kWh (PUE applied, as CodeCarbon applies it), emissions in kg CO2e, power
// in W (before PUE), duration in s. Where CodeCarbon writes a default of 0
// (gpu_count, utilisation, water_consumed, wue) a figure carbonbench lacks is
// that 0; where CodeCarbon's default is empty (longitude, latitude, region,
// cloud fields) it stays empty. python_version and codecarbon_version stay
// empty: no Python or CodeCarbon took part, and none is invented.
std::string RenderEmissionsCsv(const std::vector<RunRow>& runs);

// Writes <reports_dir>/<suite>.emissions.csv from the store; returns the path.
std::string WriteEmissionsCsv(const ResultsStore& store, const std::string& suite,
                              const std::string& reports_dir);

}  // namespace carbonbench::report
