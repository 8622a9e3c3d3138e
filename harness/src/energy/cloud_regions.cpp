#include "energy/cloud_regions.h"

#include <cstdlib>
#include <map>
#include <stdexcept>

#include <fmt/format.h>

#include "energy/reference_files.h"
#include "util/strings.h"

namespace carbonbench::detail {
namespace {

constexpr const char* kGcpTable = "cloud/impact.csv";
constexpr const char* kAwsAzureTable = "cloud/impact_2023_with_aws_azure.csv";
constexpr const char* kPueFile = "cloud_pue.csv";
constexpr const char* kShippedData =
    "carbonbench's reference data; it ships in harness/data/codecarbon";

// Region names as the providers spell them, for rows CodeCarbon misspells.
const std::map<std::string, std::string>& RegionSpellings() {
  static const std::map<std::string, std::string> kSpellings = {{"me-cenrtal1", "me-central1"}};
  return kSpellings;
}

std::string TableFor(const std::string& provider) {
  return provider == "gcp" ? kGcpTable : kAwsAzureTable;
}

// Column index by header name; throws when a required column is missing.
class Columns {
 public:
  Columns(const std::vector<std::string>& header, std::string path)
      : header_(header), path_(std::move(path)) {}

  std::size_t Require(const std::string& name) const {
    for (std::size_t i = 0; i < header_.size(); ++i) {
      if (Trim(header_[i]) == name) return i;
    }
    throw std::runtime_error(fmt::format("{}: no column '{}' in the header (found {})", path_, name,
                                         JoinStrings(header_, ", ")));
  }

 private:
  std::vector<std::string> header_;
  std::string path_;
};

std::string FieldOr(const std::vector<std::string>& row, std::size_t index) {
  return index < row.size() ? Trim(row[index]) : "";
}

std::vector<CloudRegion> ReadProviderRows(const std::string& reference_data_dir,
                                          const std::string& provider) {
  const std::string table = TableFor(provider);
  const std::string path = CodecarbonPath(reference_data_dir, table);
  std::vector<int> lines;
  const auto rows = ReadCsvFile(path, kShippedData, &lines);
  if (rows.empty()) throw std::runtime_error(fmt::format("{} is empty ({})", path, kShippedData));
  const Columns columns(rows[0], path);
  const std::size_t provider_column = columns.Require("provider");
  const std::size_t region_column = columns.Require("region");
  const std::size_t impact_column = columns.Require("impact");
  const std::size_t provider_name_column = columns.Require("providerName");
  const std::size_t region_name_column = columns.Require("regionName");
  const std::size_t country_name_column = columns.Require("country_name");
  const std::size_t country_code_column = columns.Require("countryIsoCode");
  const std::size_t state_column = columns.Require("state");
  const std::size_t city_column = columns.Require("city");
  const std::size_t source_column = columns.Require("source");

  std::vector<CloudRegion> regions;
  for (std::size_t i = 1; i < rows.size(); ++i) {
    const auto& row = rows[i];
    if (Lower(FieldOr(row, provider_column)) != provider) continue;
    CloudRegion region;
    region.provider = provider;
    region.region = Lower(FieldOr(row, region_column));
    if (const auto it = RegionSpellings().find(region.region); it != RegionSpellings().end()) {
      region.region = it->second;
    }
    const std::string impact = FieldOr(row, impact_column);
    char* end = nullptr;
    region.g_per_kwh = std::strtod(impact.c_str(), &end);
    if (impact.empty() || *end != '\0') {
      throw std::runtime_error(fmt::format("{}:{}: impact '{}' of {} {} is not a number", path,
                                           lines[i], impact, provider, region.region));
    }
    region.provider_name = FieldOr(row, provider_name_column);
    region.region_name = FieldOr(row, region_name_column);
    region.country_name = FieldOr(row, country_name_column);
    region.country_iso_code = FieldOr(row, country_code_column);
    region.state = FieldOr(row, state_column);
    region.city = FieldOr(row, city_column);
    region.upstream_source = FieldOr(row, source_column);
    region.table = table;
    regions.push_back(std::move(region));
  }
  return regions;
}

[[noreturn]] void ThrowUnknownProvider(const std::string& provider, const std::string& requested) {
  static const std::map<std::string, std::string> kCommonNames = {
      {"google", "gcp"}, {"gce", "gcp"},  {"gcloud", "gcp"},     {"amazon", "aws"},
      {"ec2", "aws"},    {"az", "azure"}, {"microsoft", "azure"}};
  std::string hint = DidYouMean(provider, CloudProviders());
  if (const auto it = kCommonNames.find(provider); it != kCommonNames.end()) {
    hint = " (did you mean '" + it->second + "'?)";
  }
  throw std::runtime_error(fmt::format(
      "unknown region '{}': '{}' is not a cloud provider carbonbench knows{}; write gcp:<region>, "
      "aws:<region> or azure:<region>, e.g. gcp:europe-west1, aws:us-east-1, azure:westeurope",
      requested, provider, hint));
}

}  // namespace

const std::vector<std::string>& CloudProviders() {
  static const std::vector<std::string> kProviders = {"gcp", "aws", "azure"};
  return kProviders;
}

CloudRegion FindCloudRegion(const std::string& reference_data_dir, const std::string& provider,
                            const std::string& region, const std::string& requested) {
  bool known_provider = false;
  for (const std::string& name : CloudProviders()) known_provider |= name == provider;
  if (!known_provider) ThrowUnknownProvider(provider, requested);

  std::vector<CloudRegion> regions = ReadProviderRows(reference_data_dir, provider);
  std::string wanted = region;
  if (const auto it = RegionSpellings().find(wanted); it != RegionSpellings().end()) {
    wanted = it->second;  // as written in CodeCarbon's table
  }
  std::vector<std::string> names;
  for (CloudRegion& candidate : regions) {
    if (candidate.region == wanted) return std::move(candidate);
    names.push_back(candidate.region);
  }
  const std::string close = ClosestMatch(region, names);
  throw std::runtime_error(fmt::format(
      "unknown region '{}'{}: CodeCarbon's {} has no {} region '{}'; known {} regions: {}",
      requested, close.empty() ? "" : " (did you mean '" + provider + ":" + close + "'?)",
      TableFor(provider), provider, region, provider, JoinStrings(names, ", ")));
}

std::vector<std::string> CloudRegionsNamed(const std::string& reference_data_dir,
                                           const std::string& region) {
  std::vector<std::string> matches;
  for (const std::string& provider : CloudProviders()) {
    for (const CloudRegion& candidate : ReadProviderRows(reference_data_dir, provider)) {
      if (candidate.region == region) matches.push_back(provider + ":" + region);
    }
  }
  return matches;
}

std::optional<CloudPue> FindCloudPue(const std::string& reference_data_dir,
                                     const std::string& provider) {
  const std::string path = reference_data_dir + "/" + kPueFile;
  std::vector<int> lines;
  const char* remedy = "carbonbench's reference data; it ships in harness/data";
  const auto rows = ReadCsvFile(path, remedy, &lines);
  if (rows.empty()) throw std::runtime_error(fmt::format("{} is empty ({})", path, remedy));
  const Columns columns(rows[0], path);
  const std::size_t provider_column = columns.Require("provider");
  const std::size_t pue_column = columns.Require("pue");
  const std::size_t year_column = columns.Require("year");
  const std::size_t source_column = columns.Require("source");
  for (std::size_t i = 1; i < rows.size(); ++i) {
    if (Lower(FieldOr(rows[i], provider_column)) != provider) continue;
    CloudPue result;
    const std::string pue = FieldOr(rows[i], pue_column);
    const std::string year = FieldOr(rows[i], year_column);
    char* end = nullptr;
    result.pue = std::strtod(pue.c_str(), &end);
    if (pue.empty() || *end != '\0' || !(result.pue >= 1.0)) {
      throw std::runtime_error(
          fmt::format("{}:{}: pue '{}' is not a number >= 1.0", path, lines[i], pue));
    }
    if (!year.empty()) {
      result.year = static_cast<int>(std::strtol(year.c_str(), &end, 10));
      if (*end != '\0') {
        throw std::runtime_error(
            fmt::format("{}:{}: year '{}' is not a whole number (leave it empty when the "
                        "source does not say)",
                        path, lines[i], year));
      }
    }
    result.source = FieldOr(rows[i], source_column);
    return result;
  }
  return std::nullopt;
}

}  // namespace carbonbench::detail
