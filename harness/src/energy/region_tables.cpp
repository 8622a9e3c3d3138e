#include "energy/region_tables.h"

#include <stdexcept>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "energy/reference_files.h"

namespace carbonbench::detail {
namespace {

using nlohmann::json;

constexpr const char* kMixFile = "global_energy_mix.json";
constexpr const char* kPerSourceFile = "carbon_intensity_per_source.json";
constexpr const char* kUsaFile = "usa_emissions.json";
constexpr const char* kCanadaFile = "canada_energy_mix.json";
constexpr const char* kNordicFile = "nordic_emissions.json";

// carbon_intensity_per_source.json cites only a URL for world_average; the
// year is that report's (see harness/data/codecarbon/SOURCE.md).
constexpr const char* kWorldAverageOrigin = "IEA 2019";
constexpr double kGramsPerKwhPerLbsPerMwh = 0.453592;
// usa_emissions.json sits in CodeCarbon's private_infra/2016/ folder and
// carries no year of its own.
constexpr int kUsaTableYear = 2016;
// canada_energy_mix.json sits in private_infra/2023/ ("added updated (2023)
// Canadian regional emissions data", CodeCarbon commit c2aceb4b).
constexpr int kCanadaTableYear = 2023;

// CodeCarbon's factors for the fossil sources in kg/kWh, as written in
// codecarbon/core/emissions.py (from responsibleproblemsolving/energy-usage).
struct FossilFactor {
  const char* key;
  double kg_per_kwh;
};
constexpr FossilFactor kCanadaFossilFactors[] = {
    {"coal", 0.995725971}, {"petroleum", 0.8166885263}, {"naturalGas", 0.7438415916}};

// canada_energy_mix.json is keyed by English province names in lower case.
struct Province {
  const char* code;
  const char* key;
};
constexpr Province kProvinces[] = {{"AB", "alberta"},
                                   {"BC", "british columbia"},
                                   {"MB", "manitoba"},
                                   {"NB", "new brunswick"},
                                   {"NL", "newfoundland and labrador"},
                                   {"NS", "nova scotia"},
                                   {"NT", "northwest territories"},
                                   {"NU", "nunavut"},
                                   {"ON", "ontario"},
                                   {"PE", "prince edward island"},
                                   {"QC", "quebec"},
                                   {"SK", "saskatchewan"},
                                   {"YT", "yukon"}};

bool IsNumber(const json& row, const char* key) {
  return row.is_object() && row.contains(key) && row[key].is_number();
}

}  // namespace

std::string Figure::Quoted() const { return fmt::format("{:g} g/kWh, {}", g_per_kwh, origin); }

Figure WorldAverage(const std::string& reference_data_dir) {
  const json table = ReadCodecarbonJson(reference_data_dir, kPerSourceFile);
  if (!IsNumber(table, "world_average")) {
    throw std::runtime_error(fmt::format("{} has no numeric world_average",
                                         CodecarbonPath(reference_data_dir, kPerSourceFile)));
  }
  Figure figure;
  figure.origin = kWorldAverageOrigin;
  figure.name = "World";
  figure.g_per_kwh = table["world_average"].get<double>();
  figure.source =
      std::string("CodeCarbon ") + kPerSourceFile + " world_average (" + figure.origin + ")";
  return figure;
}

std::optional<Figure> CountryFigure(const std::string& reference_data_dir,
                                    const std::string& alpha3) {
  const json mix = ReadCodecarbonJson(reference_data_dir, kMixFile);
  if (!mix.contains(alpha3) || !IsNumber(mix[alpha3], "carbon_intensity")) return std::nullopt;
  const json& row = mix[alpha3];
  Figure figure;
  figure.origin = "Our World in Data";
  if (row.contains("year") && row["year"].is_number_integer()) {
    figure.year = row["year"].get<int>();
    figure.origin += " " + std::to_string(figure.year);
  }
  figure.name = row.value("country_name", "");
  figure.g_per_kwh = row["carbon_intensity"].get<double>();
  figure.source = std::string("CodeCarbon ") + kMixFile + " (" + figure.origin + ")";
  return figure;
}

std::optional<Figure> UsStateFigure(const std::string& reference_data_dir,
                                    const std::string& state) {
  const json table = ReadCodecarbonJson(reference_data_dir, kUsaFile);
  for (const auto& [key, row] : table.items()) {
    // "_unit" describes the columns and "usa" is the national row; neither
    // has a two-letter upper-case regionCode.
    if (!IsNumber(row, "emissions") || row.value("regionCode", "") != state) continue;
    const double lbs_per_mwh = row["emissions"].get<double>();
    Figure figure;
    figure.year = kUsaTableYear;
    figure.origin = fmt::format("eGRID, CodeCarbon's {} table", kUsaTableYear);
    figure.name = key;
    figure.g_per_kwh = lbs_per_mwh * kGramsPerKwhPerLbsPerMwh;
    figure.source =
        fmt::format("CodeCarbon {} (eGRID, {} table): {:g} lbs CO2/MWh x {} = {:g} g/kWh", kUsaFile,
                    kUsaTableYear, lbs_per_mwh, kGramsPerKwhPerLbsPerMwh, figure.g_per_kwh);
    return figure;
  }
  return std::nullopt;
}

std::optional<Figure> CanadianProvinceFigure(const std::string& reference_data_dir,
                                             const std::string& province) {
  const char* key = nullptr;
  for (const Province& entry : kProvinces) {
    if (province == entry.code) key = entry.key;
  }
  if (key == nullptr) return std::nullopt;
  const json table = ReadCodecarbonJson(reference_data_dir, kCanadaFile);
  if (!table.contains(key) || !IsNumber(table[key], "total")) return std::nullopt;
  const json& row = table[key];
  const double total = row["total"].get<double>();
  if (!(total > 0)) return std::nullopt;
  double kg_per_kwh = 0;
  std::string shares;
  for (const FossilFactor& factor : kCanadaFossilFactors) {
    const double share = IsNumber(row, factor.key) ? row[factor.key].get<double>() : 0.0;
    kg_per_kwh += share / total * factor.kg_per_kwh;
    shares += fmt::format("{}{} {:g}%", shares.empty() ? "" : ", ", factor.key, share);
  }
  Figure figure;
  figure.year = kCanadaTableYear;
  figure.origin = fmt::format("generation mix {}", kCanadaTableYear);
  figure.name = key;
  figure.g_per_kwh = kg_per_kwh * 1000.0;
  figure.source = fmt::format(
      "CodeCarbon {} ({} generation mix: {} of {:g}% total, x 995.7/816.7/743.8 g/kWh for "
      "coal/petroleum/natural gas as CodeCarbon computes it; other sources count as zero)",
      kCanadaFile, kCanadaTableYear, shares, total);
  return figure;
}

const std::vector<NordicZone>& NordicBiddingZones() {
  static const std::vector<NordicZone> kZones = {
      {"SE1", "SE"}, {"SE2", "SE"}, {"SE3", "SE"}, {"SE4", "SE"}, {"NO1", "NO"}, {"NO2", "NO"},
      {"NO3", "NO"}, {"NO4", "NO"}, {"NO5", "NO"}, {"DK1", "DK"}, {"DK2", "DK"}, {"FI", "FI"}};
  return kZones;
}

const NordicZone* FindNordicZone(const std::string& code) {
  for (const NordicZone& zone : NordicBiddingZones()) {
    if (zone.code == code) return &zone;
  }
  return nullptr;
}

std::optional<Figure> NordicZoneFigure(const std::string& reference_data_dir,
                                       const std::string& zone) {
  const json table = ReadCodecarbonJson(reference_data_dir, kNordicFile);
  if (!table.contains("data") || !table["data"].contains(zone) ||
      !IsNumber(table["data"][zone], "emission_factor")) {
    return std::nullopt;
  }
  const json& row = table["data"][zone];
  std::string basis = "ENTSO-E";
  if (table.contains("metadata") && table["metadata"].is_object()) {
    basis = table["metadata"].value("source", basis);
  }
  Figure figure;
  figure.g_per_kwh = row["emission_factor"].get<double>();
  if (row.contains("year") && row["year"].is_number_integer()) figure.year = row["year"].get<int>();
  figure.name = row.value("description", zone);
  figure.origin = figure.year ? fmt::format("ENTSO-E {}", figure.year) : "ENTSO-E";
  figure.source = fmt::format("CodeCarbon {} ({}{})", kNordicFile, basis,
                              figure.year ? fmt::format(", {}", figure.year) : "");
  return figure;
}

}  // namespace carbonbench::detail
