#include "energy/carbon_intensity.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>

#include "util/text.h"

namespace carbonbench {
namespace {

using nlohmann::json;

constexpr const char* kWorld = "WORLD";
constexpr const char* kMixFile = "global_energy_mix.json";
constexpr const char* kPerSourceFile = "carbon_intensity_per_source.json";
// carbon_intensity_per_source.json cites only a URL for world_average; the
// year is that report's (see harness/data/codecarbon/SOURCE.md).
constexpr const char* kWorldAverageOrigin = "IEA 2019";

struct Country {
  std::string alpha2;
  std::string alpha3;
  std::string name;                    // the short common name where ISO gives one ("Iran")
  std::vector<std::string> all_names;  // name, common and official, for hints
};

std::string Upper(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return text;
}

json ReadJson(const std::string& path, const std::string& remedy) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read " + path + " (" + remedy + ")");
  try {
    return json::parse(in);
  } catch (const json::exception& error) {
    throw std::runtime_error(path + " is not valid JSON: " + error.what());
  }
}

std::string CodecarbonPath(const std::string& reference_data_dir, const std::string& file) {
  return reference_data_dir + "/codecarbon/" + file;
}

json ReadCodecarbonTable(const std::string& reference_data_dir, const std::string& file) {
  return ReadJson(CodecarbonPath(reference_data_dir, file),
                  "carbonbench's reference data; it ships in harness/data/codecarbon");
}

json ReadIsoTable(const std::string& iso_codes_dir, const std::string& standard) {
  const json table = ReadJson(iso_codes_dir + "/iso_" + standard + ".json",
                              "ISO 3166 codes; apt-get install iso-codes");
  if (!table.contains(standard) || !table[standard].is_array()) {
    throw std::runtime_error(iso_codes_dir + "/iso_" + standard + ".json has no \"" + standard +
                             "\" list; is it iso-codes' file?");
  }
  return table[standard];
}

std::vector<Country> ReadCountries(const std::string& iso_codes_dir) {
  std::vector<Country> countries;
  for (const json& entry : ReadIsoTable(iso_codes_dir, "3166-1")) {
    Country country;
    country.alpha2 = entry.value("alpha_2", "");
    country.alpha3 = entry.value("alpha_3", "");
    country.name = entry.value("common_name", entry.value("name", country.alpha3));
    for (const char* key : {"name", "common_name", "official_name"}) {
      if (entry.contains(key)) country.all_names.push_back(entry[key].get<std::string>());
    }
    countries.push_back(std::move(country));
  }
  return countries;
}

// Looks `code` up as alpha-2 or alpha-3 by its length; null when unknown.
const Country* FindCountry(const std::vector<Country>& countries, const std::string& code) {
  for (const Country& country : countries) {
    if (code == (code.size() == 2 ? country.alpha2 : country.alpha3)) return &country;
  }
  return nullptr;
}

// A hint for a code that is no country: the code of a country the user
// named in words, the ISO code behind a common non-ISO one, or a close code.
std::string SuggestCountry(const std::string& code, const std::vector<Country>& countries) {
  for (const Country& country : countries) {
    for (const std::string& name : country.all_names) {
      if (Upper(name) == code) {
        return " (did you mean '" + country.alpha2 + "' for " + country.name + "?)";
      }
    }
  }
  // ISO reserves these for the UK and Greece but assigns GB and GR.
  static const std::map<std::string, std::string> kReserved = {{"UK", "GB"}, {"EL", "GR"}};
  if (const auto it = kReserved.find(code); it != kReserved.end()) {
    return " (did you mean '" + it->second + "'?)";
  }
  std::vector<std::string> candidates = {kWorld};
  for (const Country& country : countries) {
    candidates.push_back(code.size() == 3 ? country.alpha3 : country.alpha2);
  }
  return DidYouMean(code, candidates);
}

[[noreturn]] void ThrowUnknownRegion(const std::string& region, const std::string& code,
                                     const std::vector<Country>& countries) {
  const std::size_t dash = code.find('-');
  if (dash != std::string::npos) {
    const std::string prefix = code.substr(0, dash);
    throw std::runtime_error(
        "unknown region '" + region + "': " + prefix + " is not an ISO 3166-1 country code" +
        SuggestCountry(prefix, countries) + "; a subdivision is written like IN-TN");
  }
  throw std::runtime_error(
      "unknown region '" + region + "'" + SuggestCountry(code, countries) +
      ": expected an ISO 3166-1 country code (alpha-2 like FR or alpha-3 like FRA), an "
      "ISO 3166-2 subdivision like IN-TN, or WORLD");
}

// Checks `code` ("IN-TN") against ISO 3166-2 and returns the subdivision's
// name. Subdivision codes always start with the alpha-2 country code, so an
// alpha-3 prefix ("IND-TN") is refused with the right spelling.
std::string SubdivisionName(const std::string& iso_codes_dir, const std::string& region,
                            const std::string& code, const Country& country) {
  const std::string canonical = country.alpha2 + code.substr(code.find('-'));
  std::vector<std::string> siblings;
  std::string name;
  for (const json& entry : ReadIsoTable(iso_codes_dir, "3166-2")) {
    const std::string entry_code = entry.value("code", "");
    if (entry_code.compare(0, country.alpha2.size() + 1, country.alpha2 + "-") != 0) continue;
    siblings.push_back(entry_code);
    if (entry_code == canonical) name = entry.value("name", entry_code);
  }
  if (!name.empty() && canonical == code) return name;
  const std::string hint =
      !name.empty() ? " (did you mean '" + canonical + "'?)" : DidYouMean(canonical, siblings);
  throw std::runtime_error("unknown region '" + region + "'" + hint + ": not an ISO 3166-2 " +
                           "subdivision of " + country.name + "; use " + country.alpha2 + " for " +
                           country.name + "'s national intensity");
}

// A looked-up figure plus where it comes from in words ("Our World in Data
// 2023"), which warnings quote next to the number.
struct Figure {
  CarbonIntensity intensity;
  std::string origin;

  std::string Quoted() const { return fmt::format("{:g} g/kWh, {}", intensity.g_per_kwh, origin); }
};

Figure WorldAverage(const std::string& reference_data_dir) {
  const json table = ReadCodecarbonTable(reference_data_dir, kPerSourceFile);
  if (!table.contains("world_average") || !table["world_average"].is_number()) {
    throw std::runtime_error(CodecarbonPath(reference_data_dir, kPerSourceFile) +
                             " has no numeric world_average");
  }
  Figure figure;
  figure.origin = kWorldAverageOrigin;
  figure.intensity.region_used = kWorld;
  figure.intensity.region_name = "World";
  figure.intensity.g_per_kwh = table["world_average"].get<double>();
  figure.intensity.source =
      std::string("CodeCarbon ") + kPerSourceFile + " world_average (" + figure.origin + ")";
  return figure;
}

// The country's row in global_energy_mix.json; nullopt when the table has no
// usable row for it.
std::optional<Figure> CountryIntensity(const json& mix, const Country& country) {
  if (!mix.contains(country.alpha3)) return std::nullopt;
  const json& row = mix[country.alpha3];
  if (!row.contains("carbon_intensity") || !row["carbon_intensity"].is_number()) {
    return std::nullopt;
  }
  Figure figure;
  figure.origin = "Our World in Data";
  if (row.contains("year") && row["year"].is_number_integer()) {
    figure.origin += " " + std::to_string(row["year"].get<int>());
  }
  figure.intensity.region_used = country.alpha3;
  figure.intensity.region_name = country.name;
  figure.intensity.g_per_kwh = row["carbon_intensity"].get<double>();
  figure.intensity.source = std::string("CodeCarbon ") + kMixFile + " (" + figure.origin + ")";
  return figure;
}

// Resolves a known country (and optional subdivision name) to a figure,
// with the warnings that explain any fallback.
Figure ResolveCountry(const std::string& code, const Country& country,
                      const std::string& subdivision, const std::string& reference_data_dir) {
  const json mix = ReadCodecarbonTable(reference_data_dir, kMixFile);
  if (std::optional<Figure> figure = CountryIntensity(mix, country)) {
    if (!subdivision.empty()) {
      figure->intensity.warnings.push_back("region " + code + " (" + subdivision +
                                           "): no subdivision-level data; using " + country.name +
                                           "'s national intensity (" + figure->Quoted() + ")");
    }
    return *figure;
  }
  Figure world = WorldAverage(reference_data_dir);
  world.intensity.warnings.push_back(
      "region " + code + " (" + (subdivision.empty() ? country.name : subdivision) +
      "): " + country.name + " (" + country.alpha3 + ") has no row in CodeCarbon's " + kMixFile +
      "; using CodeCarbon's world average (" + world.Quoted() + ")");
  return world;
}

}  // namespace

CarbonIntensity LookUpCarbonIntensity(const std::string& region,
                                      const std::string& reference_data_dir,
                                      const std::string& iso_codes_dir) {
  const std::string code = Upper(Trim(region));
  if (code == kWorld) {
    CarbonIntensity result = WorldAverage(reference_data_dir).intensity;
    result.region_requested = region;
    return result;
  }

  const std::vector<Country> countries = ReadCountries(iso_codes_dir);
  const std::size_t dash = code.find('-');
  const Country* country = FindCountry(countries, code.substr(0, dash));
  if (country == nullptr) ThrowUnknownRegion(region, code, countries);
  std::string subdivision;
  if (dash != std::string::npos) {
    subdivision = SubdivisionName(iso_codes_dir, region, code, *country);
  }

  CarbonIntensity result =
      ResolveCountry(code, *country, subdivision, reference_data_dir).intensity;
  result.region_requested = region;
  return result;
}

}  // namespace carbonbench
