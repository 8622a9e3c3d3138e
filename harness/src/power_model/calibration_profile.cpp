#include "power_model/calibration_profile.h"

#include <unistd.h>

#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "power_model/csv_records.h"

namespace carbonbench::power_model {
namespace {

using nlohmann::json;

// Reads a required member, saying which one is missing or mistyped.
template <typename T>
T Member(const json& object, const char* key, const std::string& origin) {
  if (!object.contains(key)) {
    throw std::runtime_error(
        fmt::format("{}: no '{}' field; rerun `carbonbench calibrate` "
                    "to write a new profile",
                    origin, key));
  }
  try {
    return object.at(key).get<T>();
  } catch (const json::exception&) {
    throw std::runtime_error(
        fmt::format("{}: field '{}' has the wrong type ({})", origin, key, object.at(key).dump()));
  }
}

void Require(bool ok, const std::string& origin, const std::string& what) {
  if (!ok) {
    throw std::runtime_error(
        fmt::format("{}: {}; rerun `carbonbench calibrate` to write a new profile", origin, what));
  }
}

}  // namespace

std::string ProfileFileName(const std::string& cpu_model, int logical_cpus) {
  std::string slug;
  for (const char c : cpu_model) {
    if (std::isalnum(static_cast<unsigned char>(c))) {
      slug += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    } else if (!slug.empty() && slug.back() != '-') {
      slug += '-';
    }
  }
  while (!slug.empty() && slug.back() == '-') slug.pop_back();
  if (slug.empty()) slug = "unnamed-cpu";
  return fmt::format("{}-{}cpus.json", slug, logical_cpus);
}

std::string DefaultCalibrationDir() {
  if (const char* dir = std::getenv("CARBONBENCH_CALIBRATION_DIR"); dir && *dir) return dir;
  if (const char* data = std::getenv("XDG_DATA_HOME"); data && *data) {
    return std::string(data) + "/carbonbench/calibration";
  }
  if (const char* home = std::getenv("HOME"); home && *home) {
    return std::string(home) + "/.local/share/carbonbench/calibration";
  }
  return "";
}

std::string ProfileToJson(const CalibrationProfile& profile) {
  json points = json::array();
  for (const LadderPoint& point : profile.points) {
    points.push_back({{"step", point.step}, {"load", point.load}, {"watts", point.watts}});
  }
  const json out = {
      {"format", kProfileFormat},
      {"version", kProfileVersion},
      {"cpu_model", profile.cpu_model},
      {"logical_cpus", profile.logical_cpus},
      {"sockets", profile.topology.sockets},
      {"physical_cores", profile.topology.physical_cores},
      {"meter", profile.meter},
      {"calibrated_at", profile.calibrated_at},
      {"full_load_w", profile.full_load_w},
      {"curve",
       {{"idle_fraction", profile.curve.idle_fraction},
        {"rise_exponent", profile.curve.rise_exponent},
        {"smt_fraction", profile.curve.smt_fraction}}},
      {"band_relative", profile.band_relative},
      {"points", points},
  };
  return out.dump(2) + "\n";
}

CalibrationProfile ProfileFromJson(const std::string& text, const std::string& origin) {
  json doc;
  try {
    doc = json::parse(text);
  } catch (const json::parse_error& error) {
    throw std::runtime_error(
        fmt::format("{}: not JSON ({}); rerun `carbonbench calibrate` to write a new profile",
                    origin, error.what()));
  }
  Require(doc.is_object(), origin, "not a JSON object");
  const std::string format = doc.value("format", "");
  Require(format == kProfileFormat, origin,
          fmt::format("format is '{}', expected '{}' (not a carbonbench calibration profile)",
                      format, kProfileFormat));
  const int version = Member<int>(doc, "version", origin);
  Require(version == kProfileVersion, origin,
          fmt::format("written as profile version {}, this carbonbench reads version {}", version,
                      kProfileVersion));
  CalibrationProfile profile;
  profile.cpu_model = Member<std::string>(doc, "cpu_model", origin);
  profile.logical_cpus = Member<int>(doc, "logical_cpus", origin);
  profile.topology.logical_cpus = profile.logical_cpus;
  profile.topology.sockets = Member<int>(doc, "sockets", origin);
  profile.topology.physical_cores = Member<int>(doc, "physical_cores", origin);
  profile.meter = Member<std::string>(doc, "meter", origin);
  profile.calibrated_at = Member<std::string>(doc, "calibrated_at", origin);
  profile.full_load_w = Member<double>(doc, "full_load_w", origin);
  const json curve = Member<json>(doc, "curve", origin);
  profile.curve.idle_fraction = Member<double>(curve, "idle_fraction", origin);
  profile.curve.rise_exponent = Member<double>(curve, "rise_exponent", origin);
  profile.curve.smt_fraction = Member<double>(curve, "smt_fraction", origin);
  profile.band_relative = Member<double>(doc, "band_relative", origin);
  if (doc.contains("points") && doc["points"].is_array()) {
    for (const json& point : doc["points"]) {
      profile.points.push_back(
          {point.value("step", ""), point.value("load", 0.0), point.value("watts", 0.0)});
    }
  }
  Require(profile.logical_cpus > 0 && profile.topology.sockets > 0, origin,
          "logical_cpus and sockets must be positive");
  Require(std::isfinite(profile.full_load_w) && profile.full_load_w > 0, origin,
          fmt::format("full_load_w is {}, not a positive power", profile.full_load_w));
  const CpuCurve& c = profile.curve;
  Require(c.idle_fraction >= 0 && c.idle_fraction < 1 && c.rise_exponent > 0 &&
              c.rise_exponent <= 4 && c.smt_fraction >= 0 && c.smt_fraction < 1,
          origin,
          fmt::format("curve out of bounds (idle_fraction {} in [0, 1), rise_exponent {} in "
                      "(0, 4], smt_fraction {} in [0, 1))",
                      c.idle_fraction, c.rise_exponent, c.smt_fraction));
  Require(std::isfinite(profile.band_relative) && profile.band_relative >= 0, origin,
          "band_relative must be a fraction of zero or more");
  return profile;
}

void SaveProfile(const CalibrationProfile& profile, const std::string& dir) {
  namespace fs = std::filesystem;
  std::error_code error;
  fs::create_directories(dir, error);
  if (error) {
    throw std::runtime_error(
        fmt::format("cannot create the calibration folder {}: {}", dir, error.message()));
  }
  const fs::path path = fs::path(dir) / ProfileFileName(profile.cpu_model, profile.logical_cpus);
  const fs::path temporary = path.string() + ".tmp" + std::to_string(getpid());
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    out << ProfileToJson(profile);
    if (!out.flush()) {
      throw std::runtime_error(fmt::format("cannot write {}", temporary.string()));
    }
  }
  fs::rename(temporary, path, error);
  if (error) {
    fs::remove(temporary);
    throw std::runtime_error(fmt::format("cannot replace {}: {}", path.string(), error.message()));
  }
}

std::string CalibrationPhrase(const CalibrationProfile& profile) {
  return fmt::format("calibrated on this machine against {} on {}, ±{:.1f} %", profile.meter,
                     profile.calibrated_at.substr(0, 10), profile.band_relative * 100.0);
}

ProfileLookup FindProfile(const std::string& dir, const std::string& cpu_model, int logical_cpus) {
  ProfileLookup lookup;
  if (dir.empty()) return lookup;
  lookup.path = (std::filesystem::path(dir) / ProfileFileName(cpu_model, logical_cpus)).string();
  std::error_code error;
  if (!std::filesystem::exists(lookup.path, error)) return lookup;
  try {
    CalibrationProfile profile =
        ProfileFromJson(ReadWholeFile(lookup.path, "a calibration profile"), lookup.path);
    if (profile.cpu_model != cpu_model || profile.logical_cpus != logical_cpus) {
      lookup.warning = fmt::format(
          "{}: calibrated on '{}' with {} logical CPUs, this machine is '{}' with {}; using the "
          "table instead (rerun `carbonbench calibrate` here)",
          lookup.path, profile.cpu_model, profile.logical_cpus, cpu_model, logical_cpus);
      return lookup;
    }
    lookup.profile = std::move(profile);
  } catch (const std::exception& refused) {
    lookup.warning =
        fmt::format("calibration profile refused, using the table instead: {}", refused.what());
  }
  return lookup;
}

}  // namespace carbonbench::power_model
