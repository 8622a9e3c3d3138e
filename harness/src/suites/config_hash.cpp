#include "suites/config_hash.h"

#include <cstdint>
#include <cstdio>
#include <map>
#include <optional>
#include <set>

#include <nlohmann/json.hpp>

namespace carbonbench::detail {
namespace {

nlohmann::json ToJson(const ParamValue& value) {
  return std::visit([](const auto& v) { return nlohmann::json(v); }, value);
}

// Equal values, a number written as 0 or 0.0 alike.
bool SameValue(const ParamValue& a, const ParamValue& b) {
  auto number = [](const ParamValue& v) -> std::optional<double> {
    if (const auto* i = std::get_if<std::int64_t>(&v)) return static_cast<double>(*i);
    if (const auto* d = std::get_if<double>(&v)) return *d;
    return std::nullopt;
  };
  if (number(a) && number(b)) return *number(a) == *number(b);
  return a == b;
}

// Training settings added after stores of finished cells existed. At its
// default each trains exactly as before it existed (eval_batch_size only
// evaluates the same samples in other batches), so it is left out of the
// configuration there: the older cells keep their hashes and a resumed
// suite does not run them again.
// Plugin parameters added the same way are declared by their plugins
// (`added_later`, with the value at which each changes nothing).
bool LeftOutAtDefault(const std::string& key, const ParamValue& value,
                      const std::map<std::string, ParamValue>& added_later) {
  if (const auto later = added_later.find(key); later != added_later.end()) {
    return SameValue(later->second, value);
  }
  static const std::set<std::string> kLaterSettings = {
      "nesterov",       "lr_schedule",     "warmup_epochs",     "lr_step_epochs",
      "lr_gamma",       "label_smoothing", "grad_accumulation", "malloc_tuning",
      "flush_denormal", "channels_last",   "eval_batch_size",   "allocator"};
  if (kLaterSettings.count(key) == 0) return false;
  for (const ParamSpec& spec : TrainingSettingSpecs()) {
    if (spec.name == key) return SameValue(spec.default_value, value);
  }
  return false;
}

}  // namespace

std::string CanonicalConfigJson(const std::map<std::string, ParamValue>& settings,
                                const std::vector<std::string>& optimizations,
                                const CarbonSettings& carbon,
                                const std::vector<std::string>& meters,
                                const std::map<std::string, ParamValue>& added_later,
                                const std::map<std::string, std::string>& code_files) {
  // nlohmann::json objects are std::maps: keys come out sorted.
  nlohmann::json config;
  nlohmann::json& json_settings = config["settings"];
  json_settings = nlohmann::json::object();
  for (const auto& [key, value] : settings) {
    if (!LeftOutAtDefault(key, value, added_later)) json_settings[key] = ToJson(value);
  }
  config["optimizations"] = optimizations;
  // Only what changes a figure: compare_regions changes none.
  nlohmann::json& json_carbon = config["carbon"];
  json_carbon = {{"region", carbon.region}};
  json_carbon["pue"] = carbon.pue ? nlohmann::json(*carbon.pue) : nlohmann::json();
  if (carbon.intensity_g_per_kwh) json_carbon["intensity_g_per_kwh"] = *carbon.intensity_g_per_kwh;
  if (!carbon.intensity_csv.empty()) json_carbon["intensity_csv"] = carbon.intensity_csv;
  config["meters"] = meters;
  if (!code_files.empty()) config["code_files"] = code_files;
  return config.dump();
}

std::uint64_t Fnv1a64(std::string_view bytes, std::uint64_t hash) {
  for (const unsigned char byte : bytes) {
    hash ^= byte;
    hash *= 0x100000001b3ULL;
  }
  return hash;
}

std::string Hex64(std::uint64_t value) {
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(value));
  return hex;
}

std::string Fnv1a64Hex(const std::string& text) { return Hex64(Fnv1a64(text)); }

}  // namespace carbonbench::detail
