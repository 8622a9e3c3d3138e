#include "power_model/fitted_cpu_model.h"

#include <cmath>
#include <stdexcept>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "power_model/csv_records.h"

namespace carbonbench::power_model {
namespace {

using nlohmann::json;

constexpr const char* kFix = "the file ships in harness/data/meters; reinstall or regenerate it";

double Number(const json& doc, const char* key, const std::string& origin) {
  if (!doc.contains(key) || !doc.at(key).is_number()) {
    throw std::runtime_error(fmt::format("{}: field '{}' is {}, expected a number; {}", origin, key,
                                         doc.contains(key) ? doc.at(key).dump() : "missing", kFix));
  }
  const double value = doc.at(key).get<double>();
  if (!std::isfinite(value)) {
    throw std::runtime_error(fmt::format("{}: field '{}' is not finite; {}", origin, key, kFix));
  }
  return value;
}

void Require(bool ok, const std::string& origin, const std::string& what) {
  if (!ok) throw std::runtime_error(fmt::format("{}: {}; {}", origin, what, kFix));
}

}  // namespace

FittedCpuModel ParseFittedCpuModel(const std::string& text, const std::string& origin) {
  json doc;
  try {
    doc = json::parse(text);
  } catch (const json::parse_error& error) {
    throw std::runtime_error(fmt::format("{}: not JSON ({}); {}", origin, error.what(), kFix));
  }
  Require(doc.is_object(), origin, "not a JSON object");
  FittedCpuModel model;
  model.curve.idle_fraction = Number(doc, "idle_fraction", origin);
  model.curve.rise_exponent = Number(doc, "rise_exponent", origin);
  model.curve.smt_fraction = Number(doc, "smt_fraction", origin);
  model.full_load_per_tdp = Number(doc, "full_load_per_tdp", origin);
  model.band_relative = Number(doc, "band_relative", origin);
  model.machines = static_cast<int>(Number(doc, "machines", origin));
  model.rows = static_cast<int>(Number(doc, "rows", origin));
  Require(doc.contains("basis") && doc["basis"].is_string(), origin,
          "field 'basis' must be a phrase (string)");
  model.basis = doc["basis"].get<std::string>();
  const CpuCurve& c = model.curve;
  Require(c.idle_fraction >= 0 && c.idle_fraction < 1, origin,
          fmt::format("idle_fraction {} is outside [0, 1)", c.idle_fraction));
  Require(c.rise_exponent > 0 && c.rise_exponent <= 4, origin,
          fmt::format("rise_exponent {} is outside (0, 4]", c.rise_exponent));
  Require(c.smt_fraction >= 0 && c.smt_fraction < 1, origin,
          fmt::format("smt_fraction {} is outside [0, 1)", c.smt_fraction));
  Require(model.full_load_per_tdp > 0 && model.full_load_per_tdp <= 4, origin,
          fmt::format("full_load_per_tdp {} is outside (0, 4]", model.full_load_per_tdp));
  Require(model.band_relative >= 0, origin,
          fmt::format("band_relative {} is negative", model.band_relative));
  return model;
}

FittedCpuModel LoadFittedCpuModel(const std::string& path) {
  return ParseFittedCpuModel(ReadWholeFile(path, "the fitted CPU power curve"), path);
}

}  // namespace carbonbench::power_model
