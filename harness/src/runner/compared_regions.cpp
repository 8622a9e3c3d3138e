#include "runner/compared_regions.h"

#include <stdexcept>

#include <fmt/format.h>

#include "energy/carbon_intensity.h"

namespace carbonbench {

const std::vector<std::string>& DefaultComparedRegions() {
  static const std::vector<std::string> codes = {"SE",
                                                 "FR",
                                                 "CA-QC",
                                                 "US-CA",
                                                 "DE",
                                                 "US",
                                                 "IN",
                                                 "CN",
                                                 "gcp:europe-north1",
                                                 "aws:us-east-1",
                                                 "azure:westeurope"};
  return codes;
}

std::vector<std::string> ComparedRegionCodes(const std::vector<RunRow>& runs,
                                             const std::vector<std::string>& requested) {
  if (!requested.empty()) return requested;
  for (auto run = runs.rbegin(); run != runs.rend(); ++run) {
    const auto& codes = run->start.carbon.compare_regions;
    if (codes && !codes->empty()) return *codes;
  }
  return DefaultComparedRegions();
}

std::vector<report::ComparedRegion> ResolveComparedRegions(const std::vector<std::string>& codes,
                                                           const std::string& reference_data_dir) {
  std::vector<report::ComparedRegion> regions;
  for (const std::string& code : codes) {
    CarbonRequest request;
    request.region = code;
    CarbonIntensity carbon;
    try {
      carbon = ResolveCarbon(request, reference_data_dir);
    } catch (const std::exception& error) {
      throw std::runtime_error(fmt::format("compare_regions: {}", error.what()));
    }
    report::ComparedRegion region;
    region.code = code;
    region.name = carbon.region_name;
    region.g_per_kwh = carbon.g_per_kwh;
    region.pue = carbon.pue;
    region.source = carbon.source;
    if (!carbon.pue_source.empty()) region.source += "; PUE: " + carbon.pue_source;
    regions.push_back(std::move(region));
  }
  return regions;
}

}  // namespace carbonbench
