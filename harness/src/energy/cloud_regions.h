// Cloud regions' grid intensity (CodeCarbon's cloud tables) and the cloud
// providers' published fleet PUE (harness/data/cloud_pue.csv).
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace carbonbench::detail {

// One row of a CodeCarbon cloud table.
struct CloudRegion {
  std::string provider;          // "gcp" | "aws" | "azure"
  std::string provider_name;     // "Google Cloud Platform"
  std::string region;            // "europe-west1"
  std::string region_name;       // "US East (N. Virginia)", or "" (GCP rows have none)
  std::string country_name;      // the table's country_name
  std::string country_iso_code;  // the table's countryIsoCode, as written
  std::string state;
  std::string city;
  double g_per_kwh = 0;         // the table's `impact`
  std::string upstream_source;  // the table's `source` column
  std::string table;            // "cloud/impact.csv"
};

// "gcp", "aws", "azure".
const std::vector<std::string>& CloudProviders();

// The row for `provider` and `region` (both lower case). GCP comes from
// cloud/impact.csv (CodeCarbon v3.3.0); AWS and Azure from
// cloud/impact_2023_with_aws_azure.csv, the last version of that table that
// held them. `me-central1` also finds the row CodeCarbon misspells
// `me-cenrtal1`. Throws std::runtime_error naming `requested` for an unknown
// provider or region, with a did-you-mean and the provider's known regions.
CloudRegion FindCloudRegion(const std::string& reference_data_dir, const std::string& provider,
                            const std::string& region, const std::string& requested);

// "provider:region" for every provider whose table has `region` (lower
// case), so a region written without its provider can be suggested.
std::vector<std::string> CloudRegionsNamed(const std::string& reference_data_dir,
                                           const std::string& region);

// A provider's published fleet-wide PUE.
struct CloudPue {
  double pue = 1.0;
  int year = 0;        // the year the figure describes; 0 when the source does not say
  std::string source;  // who published it, where
};

// The row of <reference_data_dir>/cloud_pue.csv (columns provider, pue, year,
// source) for `provider`; nullopt when the file has none. Throws when the
// file is unreadable or a row is malformed.
std::optional<CloudPue> FindCloudPue(const std::string& reference_data_dir,
                                     const std::string& provider);

}  // namespace carbonbench::detail
