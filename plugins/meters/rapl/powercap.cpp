#include "powercap.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>
#include <tuple>

namespace carbonbench::powercap {
namespace {

namespace fs = std::filesystem;

constexpr const char* kMsrPrefix = "intel-rapl";
constexpr const char* kMmioPrefix = "intel-rapl-mmio";

// "intel-rapl:0:2" → prefix "intel-rapl", package 0, sub 2 (-1: top level).
struct ZoneId {
  std::string prefix;
  int package = -1;
  int sub = -1;

  bool operator<(const ZoneId& other) const {
    return std::tie(prefix, package, sub) < std::tie(other.prefix, other.package, other.sub);
  }
};

bool ParseIndex(const std::string& text, int* value) {
  if (text.empty() || text.size() > 6 ||
      !std::all_of(text.begin(), text.end(), [](unsigned char c) { return std::isdigit(c); })) {
    return false;
  }
  *value = std::stoi(text);
  return true;
}

std::optional<ZoneId> ParseZone(const std::string& zone) {
  const auto colon = zone.find(':');
  if (colon == std::string::npos) return std::nullopt;
  ZoneId id;
  id.prefix = zone.substr(0, colon);
  if (id.prefix != kMsrPrefix && id.prefix != kMmioPrefix) return std::nullopt;
  const std::string rest = zone.substr(colon + 1);
  const auto second = rest.find(':');
  if (second == std::string::npos) {
    if (!ParseIndex(rest, &id.package)) return std::nullopt;
  } else if (!ParseIndex(rest.substr(0, second), &id.package) ||
             !ParseIndex(rest.substr(second + 1), &id.sub)) {
    return std::nullopt;
  }
  return id;
}

std::string Trim(const std::string& text) {
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) return "";
  const auto last = text.find_last_not_of(" \t\r\n");
  return text.substr(first, last - first + 1);
}

bool IsDirectory(const fs::path& path) {
  std::error_code error;
  return fs::is_directory(path, error);  // follows the symlinks sysfs uses
}

bool IsMmio(const Domain& domain) {
  return domain.zone.compare(0, std::strlen(kMmioPrefix) + 1, std::string(kMmioPrefix) + ":") == 0;
}

// Reads a whole counter file: errno on failure, 0 with no value for content
// that is not a number.
CounterReading ReadCounterFile(const std::string& path) {
  CounterReading reading;
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    reading.error = errno;
    return reading;
  }
  char buffer[64] = {};
  const ssize_t size = read(fd, buffer, sizeof(buffer) - 1);
  const int read_errno = errno;
  close(fd);
  if (size < 0) {
    reading.error = read_errno;
    return reading;
  }
  const std::string text = Trim(std::string(buffer, static_cast<std::size_t>(size)));
  if (text.empty() || text.size() > 19 ||
      !std::all_of(text.begin(), text.end(), [](unsigned char c) { return std::isdigit(c); })) {
    reading.error = EINVAL;
    return reading;
  }
  reading.uj = std::stoull(text);
  return reading;
}

// Walks the root and the zone folders nested in it (and in the "intel-rapl"
// control-type folder), never following anything else: sysfs zone folders
// hold a `subsystem` link back to the class, which would loop.
void CollectZones(const fs::path& folder, int depth, std::map<ZoneId, fs::path>* zones) {
  if (depth > 3) return;
  std::error_code error;
  for (const auto& entry : fs::directory_iterator(folder, error)) {
    const std::string name = entry.path().filename().string();
    const std::optional<ZoneId> id = ParseZone(name);
    if (id && IsDirectory(entry.path())) {
      zones->emplace(*id, entry.path());  // the first (shallowest) path wins
    } else if (!((name == kMsrPrefix || name == kMmioPrefix) && IsDirectory(entry.path()))) {
      continue;
    }
    CollectZones(entry.path(), depth + 1, zones);
  }
}

std::string Join(const std::vector<std::string>& items, const std::string& separator) {
  std::string joined;
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i > 0) joined += separator;
    joined += items[i];
  }
  return joined;
}

std::vector<std::string> Names(const std::vector<Domain>& domains) {
  std::vector<std::string> names;
  for (const Domain& domain : domains) names.push_back(domain.name);
  return names;
}

std::string PermissionReason(const std::vector<std::string>& files) {
  return "RAPL is present but energy_uj cannot be read (Permission denied): since Linux 5.10 "
         "it is readable only by root (it leaks information about other processes, "
         "CVE-2020-8694). Grant read with: sudo chmod o+r " +
         Join(files, " ") +
         " (until reboot), or for good with a udev rule, a line in "
         "/etc/udev/rules.d/99-powercap.rules: ACTION==\"add\", SUBSYSTEM==\"powercap\", "
         "KERNEL==\"intel-rapl:*\", RUN+=\"/bin/chmod o+r /sys%p/energy_uj\". Until then "
         "cpu_estimate and ram_estimate estimate instead";
}

}  // namespace

DomainKind ClassifyDomain(const std::string& name) {
  if (name.compare(0, 7, "package") == 0) return DomainKind::kPackage;  // also "package-0-die-1"
  if (name == "dram") return DomainKind::kDram;
  if (name == "core") return DomainKind::kCore;
  if (name == "uncore") return DomainKind::kUncore;
  if (name == "psys") return DomainKind::kPsys;
  return DomainKind::kOther;
}

std::vector<Domain> DiscoverDomains(const std::string& root) {
  std::vector<Domain> domains;
  if (!IsDirectory(root)) return domains;
  std::map<ZoneId, fs::path> zones;  // sorted numerically: intel-rapl:2 before :10
  CollectZones(root, 0, &zones);
  for (const auto& [id, folder] : zones) {
    Domain domain;
    domain.zone = folder.filename().string();
    domain.path = folder.string();
    std::ifstream name_file(folder / "name");
    std::getline(name_file, domain.name);
    domain.name = Trim(domain.name);
    if (domain.name.empty()) domain.name = domain.zone;
    domain.kind = ClassifyDomain(domain.name);
    const CounterReading range = ReadCounterFile((folder / "max_energy_range_uj").string());
    if (range.uj && *range.uj > 0) domain.max_range_uj = range.uj;
    domains.push_back(std::move(domain));
  }
  return domains;
}

std::uint64_t WrapAwareDeltaUj(std::uint64_t before_uj, std::uint64_t after_uj,
                               std::optional<std::uint64_t> max_range_uj) {
  if (after_uj >= before_uj) return after_uj - before_uj;
  if (max_range_uj && *max_range_uj >= before_uj) return (*max_range_uj - before_uj) + after_uj;
  return 0;
}

CounterReading ReadEnergyUj(const Domain& domain) {
  return ReadCounterFile(domain.path + "/energy_uj");
}

Verdict Probe(const std::string& root) {
  Verdict verdict;
  if (!IsDirectory(root)) {
    verdict.reason = "no " + root +
                     ": this system exposes no powercap interface (not Linux, or a VM or "
                     "container without RAPL); cpu_estimate and ram_estimate estimate instead";
    return verdict;
  }
  const std::vector<Domain> domains = DiscoverDomains(root);
  // The MSR package and the MMIO one (some laptops) are one counter read two
  // ways; core and uncore are inside the package; psys covers the packages
  // and more. Packages + DRAM count every joule once.
  std::set<std::string> msr_packages;
  for (const Domain& domain : domains) {
    if (domain.kind == DomainKind::kPackage && !IsMmio(domain)) msr_packages.insert(domain.name);
  }
  std::vector<Domain> packages;
  std::vector<Domain> drams;
  for (const Domain& domain : domains) {
    if (domain.kind == DomainKind::kPackage &&
        !(IsMmio(domain) && msr_packages.count(domain.name) > 0)) {
      packages.push_back(domain);
    } else if (domain.kind == DomainKind::kDram) {
      drams.push_back(domain);
    }
  }
  if (packages.empty()) {
    std::vector<std::string> found;
    for (const Domain& domain : domains) found.push_back(domain.name + " (" + domain.zone + ")");
    verdict.reason =
        root + " has no RAPL package zone (" +
        (found.empty() ? std::string("no intel-rapl zones at all") : "only " + Join(found, ", ")) +
        "): load the RAPL driver with: sudo modprobe intel_rapl_msr (it pulls in "
        "intel_rapl_common); a VM usually has no RAPL to load. cpu_estimate and ram_estimate "
        "estimate instead";
    return verdict;
  }

  std::vector<std::string> denied;
  std::vector<std::string> failed;
  for (const std::vector<Domain>* group : {&packages, &drams}) {
    for (const Domain& domain : *group) {
      const CounterReading reading = ReadEnergyUj(domain);
      if (reading.uj) continue;
      const std::string file = domain.path + "/energy_uj";
      if (reading.error == EACCES || reading.error == EPERM) {
        denied.push_back(file);
      } else {
        failed.push_back(
            file + " (" +
            (reading.error == EINVAL ? std::string("not a number") : std::strerror(reading.error)) +
            ")");
      }
    }
  }
  if (!denied.empty()) {
    verdict.reason = PermissionReason(denied);
    return verdict;
  }
  if (!failed.empty()) {
    verdict.reason = "RAPL is present but its counters cannot be read: " + Join(failed, ", ") +
                     "; cpu_estimate and ram_estimate estimate instead";
    return verdict;
  }

  std::vector<std::string> skipped;
  for (const Domain& domain : domains) {
    if (domain.kind == DomainKind::kPackage || domain.kind == DomainKind::kDram) {
      if (IsMmio(domain) && msr_packages.count(domain.name) > 0) {
        skipped.push_back(domain.zone + " (the same counter through MMIO)");
      }
      continue;
    }
    skipped.push_back(domain.name +
                      (domain.kind == DomainKind::kPsys    ? " (covers the packages and more)"
                       : domain.kind == DomainKind::kOther ? " (unknown domain)"
                                                           : " (inside its package)"));
  }
  verdict.available = true;
  verdict.reason = std::to_string(packages.size()) + " package(s) (" + Join(Names(packages), ", ") +
                   ") and " + std::to_string(drams.size()) + " DRAM domain(s) under " + root +
                   (skipped.empty() ? "" : "; not added: " + Join(skipped, ", "));
  verdict.packages = std::move(packages);
  verdict.drams = std::move(drams);
  return verdict;
}

void EnergyCounters::Start() {
  last_uj_.clear();
  joules_ = 0;
  for (const Domain& domain : domains_) {
    const CounterReading reading = ReadEnergyUj(domain);
    if (reading.uj) last_uj_[domain.zone] = *reading.uj;
  }
}

double EnergyCounters::ReadJoules() {
  for (const Domain& domain : domains_) {
    const CounterReading reading = ReadEnergyUj(domain);
    if (!reading.uj) continue;  // the next good read covers this interval
    const auto last = last_uj_.find(domain.zone);
    if (last != last_uj_.end()) {
      joules_ +=
          static_cast<double>(WrapAwareDeltaUj(last->second, *reading.uj, domain.max_range_uj)) *
          1e-6;
    }
    last_uj_[domain.zone] = *reading.uj;
  }
  return joules_;
}

}  // namespace carbonbench::powercap
