// The places a report compares the suite's carbon with: the suite's
// carbon.compare_regions (kept with each run), a --compare-regions list, or
// a default spread from low- to high-carbon grids and the three big clouds.
#pragma once

#include <string>
#include <vector>

#include "records/run_records.h"
#include "report/render/markdown_report.h"

namespace carbonbench {

const std::vector<std::string>& DefaultComparedRegions();

// `requested` when given, else the list stored with the latest run, else
// the defaults.
std::vector<std::string> ComparedRegionCodes(const std::vector<RunRow>& runs,
                                             const std::vector<std::string>& requested);

// Resolves each code with its place's default PUE (1.0, or the cloud
// provider's). Throws std::runtime_error naming the bad code.
std::vector<report::ComparedRegion> ResolveComparedRegions(const std::vector<std::string>& codes,
                                                           const std::string& reference_data_dir);

}  // namespace carbonbench
