#include "suites/config_hash.h"

#include <cstdint>
#include <cstdio>

#include <nlohmann/json.hpp>

namespace carbonbench::suite_internal {
namespace {

nlohmann::json ToJson(const ParamValue& value) {
  return std::visit([](const auto& v) { return nlohmann::json(v); }, value);
}

}  // namespace

std::string CanonicalConfigJson(
    const std::map<std::string, ParamValue>& settings,
    const std::vector<std::string>& optimizations, const CarbonSettings& carbon,
    const std::vector<std::string>& meters) {
  // nlohmann::json objects are std::maps: keys come out sorted.
  nlohmann::json config;
  nlohmann::json& json_settings = config["settings"];
  json_settings = nlohmann::json::object();
  for (const auto& [key, value] : settings) json_settings[key] = ToJson(value);
  config["optimizations"] = optimizations;
  // Only what changes a figure: compare_regions changes none.
  nlohmann::json& json_carbon = config["carbon"];
  json_carbon = {{"region", carbon.region}};
  json_carbon["pue"] = carbon.pue ? nlohmann::json(*carbon.pue) : nlohmann::json();
  if (carbon.intensity_g_per_kwh)
    json_carbon["intensity_g_per_kwh"] = *carbon.intensity_g_per_kwh;
  if (!carbon.intensity_csv.empty()) json_carbon["intensity_csv"] = carbon.intensity_csv;
  config["meters"] = meters;
  return config.dump();
}

std::string Fnv1a64Hex(const std::string& text) {
  std::uint64_t hash = 0xcbf29ce484222325ULL;
  for (const unsigned char byte : text) {
    hash ^= byte;
    hash *= 0x100000001b3ULL;
  }
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx",
                static_cast<unsigned long long>(hash));
  return hex;
}

}  // namespace carbonbench::suite_internal
