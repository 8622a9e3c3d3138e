// ISO 3166 country and subdivision codes, from Debian's iso-codes JSON files
// (iso_3166-1.json, iso_3166-2.json): recognising a code, naming it, and
// suggesting the right one when it is wrong.
#pragma once

#include <string>
#include <vector>

namespace carbonbench::detail {

struct Country {
  std::string alpha2;
  std::string alpha3;
  std::string name;                    // the short common name where ISO gives one ("Iran")
  std::vector<std::string> all_names;  // name, common and official, for hints
};

std::vector<Country> ReadCountries(const std::string& iso_codes_dir);

// `code` (upper case) as alpha-2 or alpha-3, told apart by length; null when unknown.
const Country* FindCountry(const std::vector<Country>& countries, const std::string& code);

// The country one of whose ISO names is `name`, in any letter case ("South
// Korea", "China"); null when none is.
const Country* FindCountryByName(const std::vector<Country>& countries, const std::string& name);

// A hint for an upper-case `code` that is no country: the code of a country
// named in words, the ISO code behind a common non-ISO one (UK), or a close
// code among the countries' codes of the same length and `extra_candidates`.
// Returns " (did you mean ...?)" or "".
std::string SuggestCountry(const std::string& code, const std::vector<Country>& countries,
                           const std::vector<std::string>& extra_candidates);

// The ISO 3166-2 name of the upper-case subdivision `code` ("IN-TN") of
// `country`. Subdivision codes always start with the alpha-2 country code, so
// an alpha-3 prefix ("IND-TN") is refused with the right spelling. Throws
// std::runtime_error naming `region` (as the user wrote it) for a code ISO
// does not list.
std::string SubdivisionName(const std::string& iso_codes_dir, const std::string& region,
                            const std::string& code, const Country& country);

}  // namespace carbonbench::detail
