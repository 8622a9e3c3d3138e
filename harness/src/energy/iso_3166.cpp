#include "energy/iso_3166.h"

#include <map>
#include <stdexcept>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "energy/reference_files.h"
#include "util/strings.h"

namespace carbonbench::detail {
namespace {

using nlohmann::json;

json ReadIsoTable(const std::string& iso_codes_dir, const std::string& standard) {
  const json table = ReadJsonFile(iso_codes_dir + "/iso_" + standard + ".json",
                                  "ISO 3166 codes; apt-get install iso-codes");
  if (!table.contains(standard) || !table[standard].is_array()) {
    throw std::runtime_error(
        fmt::format("{}/iso_{}.json has no \"{}\" list; is it iso-codes' file?", iso_codes_dir,
                    standard, standard));
  }
  return table[standard];
}

}  // namespace

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

const Country* FindCountry(const std::vector<Country>& countries, const std::string& code) {
  for (const Country& country : countries) {
    if (code == (code.size() == 2 ? country.alpha2 : country.alpha3)) return &country;
  }
  return nullptr;
}

const Country* FindCountryByName(const std::vector<Country>& countries, const std::string& name) {
  const std::string wanted = Upper(name);
  for (const Country& country : countries) {
    for (const std::string& candidate : country.all_names) {
      if (Upper(candidate) == wanted) return &country;
    }
  }
  return nullptr;
}

std::string SuggestCountry(const std::string& code, const std::vector<Country>& countries,
                           const std::vector<std::string>& extra_candidates) {
  if (const Country* named = FindCountryByName(countries, code)) {
    return " (did you mean '" + named->alpha2 + "' for " + named->name + "?)";
  }
  // ISO reserves these for the UK and Greece but assigns GB and GR.
  static const std::map<std::string, std::string> kReserved = {{"UK", "GB"}, {"EL", "GR"}};
  if (const auto it = kReserved.find(code); it != kReserved.end()) {
    return " (did you mean '" + it->second + "'?)";
  }
  std::vector<std::string> candidates = extra_candidates;
  for (const Country& country : countries) {
    candidates.push_back(code.size() == 3 ? country.alpha3 : country.alpha2);
  }
  return DidYouMean(code, candidates);
}

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
  throw std::runtime_error(
      fmt::format("unknown region '{}'{}: not an ISO 3166-2 subdivision of {}; use {} for {}'s "
                  "national intensity",
                  region, hint, country.name, country.alpha2, country.name));
}

}  // namespace carbonbench::detail
