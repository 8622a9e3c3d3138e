// Linux powercap (RAPL) as plain functions over a folder the caller names,
// so tests drive it over fake trees. Used by the rapl meter and by
// ram_estimate (for the DRAM counter).
//
// Layout: /sys/class/powercap holds zones "intel-rapl:N" (package N, or psys
// on some laptops) and subzones "intel-rapl:N:M" (core, uncore, dram), flat
// as symlinks there and nested in /sys/devices/virtual/powercap/intel-rapl.
// AMD CPUs use the same names. Each zone has `name`, `energy_uj` (cumulative
// microjoules, wrapping at `max_energy_range_uj`).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace carbonbench::powercap {

inline constexpr const char* kDefaultRoot = "/sys/class/powercap";

enum class DomainKind { kPackage, kDram, kCore, kUncore, kPsys, kOther };

struct Domain {
  std::string zone;  // "intel-rapl:0:1"
  std::string path;  // its folder
  std::string name;  // its `name` file: "package-0", "dram"
  DomainKind kind = DomainKind::kOther;
  std::optional<std::uint64_t> max_range_uj;
};

// "package-0" -> kPackage, "dram" -> kDram, "core", "uncore", "psys".
DomainKind ClassifyDomain(const std::string& name);

// Every RAPL zone under `root`, each once, sorted by zone name; empty when
// `root` does not exist.
std::vector<Domain> DiscoverDomains(const std::string& root);

// Energy between two readings of a counter that wraps to 0 after
// `max_range_uj`. A reading below the previous one is one wrap; without a
// known range the interval counts as nothing rather than a guess.
std::uint64_t WrapAwareDeltaUj(std::uint64_t before_uj, std::uint64_t after_uj,
                               std::optional<std::uint64_t> max_range_uj);

// Reads a domain's energy_uj; errno-style code on failure (EACCES, ENOENT).
struct CounterReading {
  std::optional<std::uint64_t> uj;
  int error = 0;
};
CounterReading ReadEnergyUj(const Domain& domain);

// What can be counted here, and why not when nothing can.
struct Verdict {
  bool available = false;
  std::string reason;            // why not, with the fix; or what is counted
  std::vector<Domain> packages;  // readable package domains
  std::vector<Domain> drams;     // readable DRAM domains
};
Verdict Probe(const std::string& root);

// Cumulative joules of the counted domains since Start(), wrap-aware.
class EnergyCounters {
 public:
  explicit EnergyCounters(std::vector<Domain> domains) : domains_(std::move(domains)) {}
  void Start();
  // Sum over the domains. A read that fails adds nothing for that interval.
  double ReadJoules();

 private:
  std::vector<Domain> domains_;
  std::map<std::string, std::uint64_t> last_uj_;
  double joules_ = 0;
};

}  // namespace carbonbench::powercap
