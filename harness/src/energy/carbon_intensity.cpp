#include "energy/carbon_intensity.h"

#include <cmath>
#include <stdexcept>

#include <fmt/format.h>

#include "energy/cloud_regions.h"
#include "energy/iso_3166.h"
#include "energy/reference_files.h"
#include "energy/region_tables.h"
#include "util/strings.h"

namespace carbonbench {
namespace {

using detail::Country;
using detail::Figure;

constexpr const char* kWorld = "WORLD";
constexpr const char* kAcceptedForms =
    "an ISO 3166-1 country code (alpha-2 like FR or alpha-3 like FRA), an ISO 3166-2 "
    "subdivision like US-CA, CA-QC or IN-TN, a Nordic bidding zone like SE3, a cloud region "
    "like gcp:europe-west1, aws:us-east-1 or azure:westeurope, or WORLD";

// What a region resolves to before the override, PUE and hourly series.
class RegionResolver {
 public:
  RegionResolver(std::string reference_data_dir, std::string iso_codes_dir)
      : data_dir_(std::move(reference_data_dir)), iso_dir_(std::move(iso_codes_dir)) {}

  CarbonIntensity Resolve(const std::string& region) {
    const std::string code = detail::Upper(Trim(region));
    CarbonIntensity result;
    result.region_requested = region;
    if (code.empty()) {
      throw std::runtime_error(fmt::format("empty carbon region: expected {}", kAcceptedForms));
    }
    if (const std::size_t colon = code.find(':'); colon != std::string::npos) {
      ResolveCloud(region, detail::Lower(Trim(code.substr(0, colon))),
                   detail::Lower(Trim(code.substr(colon + 1))), result);
      return result;
    }
    result.fallback_path.push_back(code);
    if (code == kWorld) {
      UseWorld(result);
      return result;
    }
    // Before ISO codes: "FI" is a zone first (see carbon_intensity.h).
    if (const detail::NordicZone* zone = detail::FindNordicZone(code)) {
      ResolveNordic(code, *zone, result);
      return result;
    }

    const std::size_t dash = code.find('-');
    const std::string prefix = code.substr(0, dash);
    if (dash != std::string::npos) RefuseZoneWithPrefix(region, prefix, code.substr(dash + 1));
    const Country* country = detail::FindCountry(Countries(), prefix);
    if (country == nullptr) ThrowUnknownRegion(region, code);
    SetCountry(*country, result);
    if (dash == std::string::npos) {
      UseCountryOrWorld(code, *country, "", result);
      return result;
    }
    const std::string name = detail::SubdivisionName(iso_dir_, region, code, *country);
    result.subdivision = code;
    const std::string local = code.substr(dash + 1);
    std::optional<Figure> figure;
    std::string table;
    if (country->alpha2 == "US") {
      figure = detail::UsStateFigure(data_dir_, local);
      table = "usa_emissions.json (eGRID)";
    } else if (country->alpha2 == "CA") {
      figure = detail::CanadianProvinceFigure(data_dir_, local);
      table = "canada_energy_mix.json";
    }
    if (figure) {
      Use(*figure, code, false, result);
      result.region_name = name;
      return result;
    }
    UseCountryOrWorld(
        code, *country,
        table.empty() ? "no subdivision-level data" : "no row in CodeCarbon's " + table, result,
        name);
    return result;
  }

 private:
  const std::vector<Country>& Countries() {
    if (countries_.empty()) countries_ = detail::ReadCountries(iso_dir_);
    return countries_;
  }

  // Takes `figure` as the one used, for `code`, which `fallback` appends to
  // the fallback path (the requested code is already its first entry).
  static void Use(const Figure& figure, const std::string& code, bool fallback,
                  CarbonIntensity& result) {
    result.g_per_kwh = figure.g_per_kwh;
    result.source = figure.source;
    result.year = figure.year;
    result.region_used = code;
    if (fallback) result.fallback_path.push_back(code);
  }

  static void SetCountry(const Country& country, CarbonIntensity& result) {
    result.country_iso_code = country.alpha3;
    result.country_name = country.name;
  }

  Figure UseWorld(CarbonIntensity& result) {
    const Figure world = detail::WorldAverage(data_dir_);
    Use(world, kWorld, result.fallback_path.back() != kWorld, result);
    result.region_name = world.name;
    return world;
  }

  // The country's national figure, or the world average when it has none.
  // `reason` (non-empty when `code` is a subdivision or zone whose own figure
  // is missing) and `place` ("Tamil Nādu") explain the fallback.
  void UseCountryOrWorld(const std::string& code, const Country& country, const std::string& reason,
                         CarbonIntensity& result, const std::string& place = "") {
    const std::string label =
        "region " + code + " (" + (place.empty() ? country.name : place) + ")";
    if (const std::optional<Figure> figure = detail::CountryFigure(data_dir_, country.alpha3)) {
      Use(*figure, country.alpha3, !reason.empty(), result);
      result.region_name = country.name;
      if (!reason.empty()) {
        result.warnings.push_back(label + ": " + reason + "; using " + country.name +
                                  "'s national intensity (" + figure->Quoted() + ")");
      }
      return;
    }
    if (!reason.empty()) result.fallback_path.push_back(country.alpha3);
    const Figure world = UseWorld(result);
    result.warnings.push_back(label + ": " + (reason.empty() ? "" : reason + ", and ") +
                              country.name + " (" + country.alpha3 +
                              ") has no row in CodeCarbon's global_energy_mix.json; using "
                              "CodeCarbon's world average (" +
                              world.Quoted() + ")");
  }

  void ResolveNordic(const std::string& code, const detail::NordicZone& zone,
                     CarbonIntensity& result) {
    const Country* country = detail::FindCountry(Countries(), zone.country_alpha2);
    if (country == nullptr) {
      throw std::runtime_error(
          fmt::format("iso-codes in {} lacks country {}; is it iso-codes' file?", iso_dir_,
                      zone.country_alpha2));
    }
    SetCountry(*country, result);
    result.subdivision = code;
    if (const std::optional<Figure> figure = detail::NordicZoneFigure(data_dir_, code)) {
      Use(*figure, code, false, result);
      result.region_name = figure->name;
      return;
    }
    UseCountryOrWorld(code, *country,
                      country->name + "'s bidding zone " + code +
                          " has no row in CodeCarbon's nordic_emissions.json",
                      result);
  }

  void ResolveCloud(const std::string& region, const std::string& provider,
                    const std::string& cloud_region, CarbonIntensity& result) {
    const detail::CloudRegion row =
        detail::FindCloudRegion(data_dir_, provider, cloud_region, region);
    const std::string code = provider + ":" + row.region;
    result.fallback_path.push_back(code);
    result.cloud_provider = provider;
    result.cloud_region = row.region;
    result.g_per_kwh = row.g_per_kwh;
    result.region_used = code;
    result.source = "CodeCarbon " + row.table + " (" + provider + " " + row.region +
                    (row.upstream_source.empty() ? "" : ": " + row.upstream_source) + ")";

    // The row's country: by name first, since AWS rows outside the US carry
    // the code USA; by the code when ISO does not know the name ("Korea").
    const Country* country = detail::FindCountryByName(Countries(), row.country_name);
    if (country != nullptr && !row.country_iso_code.empty() &&
        country->alpha3 != row.country_iso_code) {
      result.warnings.push_back("region " + code + ": CodeCarbon's " + row.table +
                                " gives country code " + row.country_iso_code +
                                " for a region in " + row.country_name + "; recording " +
                                country->alpha3);
    }
    if (country == nullptr) country = detail::FindCountry(Countries(), row.country_iso_code);
    if (country != nullptr) {
      SetCountry(*country, result);
    } else {
      result.country_iso_code = row.country_iso_code;
      result.country_name = row.country_name;
    }
    std::string place = row.city;
    if (!result.country_name.empty()) place += (place.empty() ? "" : ", ") + result.country_name;
    result.region_name = (row.provider_name.empty() ? provider : row.provider_name) + " " +
                         row.region + (row.region_name.empty() ? "" : " " + row.region_name) +
                         (place.empty() ? "" : " (" + place + ")");
  }

  // "SE-SE3": zones are written bare.
  void RefuseZoneWithPrefix(const std::string& region, const std::string& prefix,
                            const std::string& suffix) {
    const detail::NordicZone* zone = detail::FindNordicZone(suffix);
    if (zone == nullptr) return;
    const Country* country = detail::FindCountry(Countries(), zone->country_alpha2);
    if (prefix != zone->country_alpha2 && (country == nullptr || prefix != country->alpha3)) {
      return;
    }
    throw std::runtime_error(
        fmt::format("unknown region '{}' (did you mean '{}'?): Nordic bidding zones are written "
                    "without a country prefix, like SE3 or NO1",
                    region, zone->code));
  }

  [[noreturn]] void ThrowUnknownRegion(const std::string& region, const std::string& code) {
    const std::size_t dash = code.find('-');
    if (dash != std::string::npos) {
      const std::vector<std::string> cloud =
          detail::CloudRegionsNamed(data_dir_, detail::Lower(code));
      if (!cloud.empty()) {
        throw std::runtime_error(fmt::format(
            "unknown region '{}' (did you mean '{}'?): a cloud region is written provider:region",
            region, JoinStrings(cloud, "' or '")));
      }
      const std::string prefix = code.substr(0, dash);
      throw std::runtime_error(
          fmt::format("unknown region '{}': {} is not an ISO 3166-1 country code{}; a subdivision "
                      "is written like IN-TN",
                      region, prefix, detail::SuggestCountry(prefix, Countries(), {})));
    }
    std::vector<std::string> extra = {kWorld};
    for (const detail::NordicZone& zone : detail::NordicBiddingZones()) extra.push_back(zone.code);
    throw std::runtime_error(fmt::format("unknown region '{}'{}: expected {}", region,
                                         detail::SuggestCountry(code, Countries(), extra),
                                         kAcceptedForms));
  }

  std::string data_dir_;
  std::string iso_dir_;
  std::vector<Country> countries_;
};

void ApplyPue(const CarbonRequest& request, const std::string& reference_data_dir,
              CarbonIntensity& result) {
  if (request.pue) {
    if (!std::isfinite(*request.pue) || *request.pue < 1.0) {
      throw std::runtime_error(fmt::format(
          "carbon.pue is {:g}: PUE is a data centre's total energy over its IT energy, so it is "
          "at least 1.0 (1.0 means no overhead; large cloud fleets publish 1.1 to 1.2)",
          *request.pue));
    }
    result.pue = *request.pue;
    result.pue_source = kPueOverrideSource;
    return;
  }
  result.pue = 1.0;
  result.pue_source = kDefaultPueSource;
  if (result.cloud_provider.empty()) return;
  if (const std::optional<detail::CloudPue> published =
          detail::FindCloudPue(reference_data_dir, result.cloud_provider)) {
    result.pue = published->pue;
    result.pue_source = published->source;
    result.pue_year = published->year;
    return;
  }
  result.warnings.push_back("no published PUE for " + result.cloud_provider + " in " +
                            reference_data_dir +
                            "/cloud_pue.csv; assuming 1.0 (set carbon.pue to override)");
}

}  // namespace

double CarbonIntensity::GPerKwhAt(std::chrono::system_clock::time_point when) const {
  if (hourly) {
    if (const std::optional<double> value = hourly->At(when)) return *value;
  }
  return g_per_kwh;
}

std::optional<std::string> CarbonIntensity::UncoveredWarning(
    std::chrono::system_clock::time_point from, std::chrono::system_clock::time_point to) const {
  if (!hourly) return std::nullopt;
  const auto gaps = hourly->Uncovered(from, to);
  if (gaps.empty()) return std::nullopt;
  constexpr std::size_t kSpansNamed = 3;
  std::vector<std::string> spans;
  for (std::size_t i = 0; i < gaps.size() && i < kSpansNamed; ++i) {
    spans.push_back(FormatIso8601Utc(gaps[i].first) + " to " + FormatIso8601Utc(gaps[i].second));
  }
  if (gaps.size() > kSpansNamed) {
    spans.push_back(fmt::format("{} more span(s)", gaps.size() - kSpansNamed));
  }
  const std::string file = hourly->path().empty() ? "the hourly series" : hourly->path();
  return fmt::format(
      "carbon.intensity_csv {} has no row for {} (its rows cover {} to {}): that time was "
      "charged at {:g} gCO2e/kWh ({}) instead; add rows for those hours to use the grid's hourly "
      "figure",
      file, JoinStrings(spans, ", "), FormatIso8601Utc(hourly->first_hour()),
      FormatIso8601Utc(hourly->end()), g_per_kwh, source);
}

CarbonIntensity ResolveCarbon(const CarbonRequest& request, const std::string& reference_data_dir,
                              const std::string& iso_codes_dir) {
  if (request.intensity_g_per_kwh && !(*request.intensity_g_per_kwh >= 0 &&
                                       *request.intensity_g_per_kwh <= kMaxIntensityGPerKwh)) {
    throw std::runtime_error(
        fmt::format("carbon.intensity_g_per_kwh is {:g}: it must be a number of gCO2e/kWh from 0 "
                    "to {:g}",
                    *request.intensity_g_per_kwh, kMaxIntensityGPerKwh));
  }
  CarbonIntensity result =
      RegionResolver(reference_data_dir, iso_codes_dir).Resolve(request.region);
  if (request.intensity_g_per_kwh) {
    // The region's own figure and its fallbacks are not used.
    result.g_per_kwh = *request.intensity_g_per_kwh;
    result.source = kIntensityOverrideSource;
    result.year = 0;
    result.warnings.clear();
  }
  ApplyPue(request, reference_data_dir, result);
  if (!request.hourly_csv.empty()) {
    result.hourly =
        std::make_shared<const IntensitySeries>(IntensitySeries::ReadCsv(request.hourly_csv));
  }
  return result;
}

CarbonIntensity LookUpCarbonIntensity(const std::string& region,
                                      const std::string& reference_data_dir,
                                      const std::string& iso_codes_dir) {
  CarbonRequest request;
  request.region = region;
  return ResolveCarbon(request, reference_data_dir, iso_codes_dir);
}

}  // namespace carbonbench
