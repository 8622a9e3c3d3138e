#include "power_model/cgroup_share.h"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include "power_model/csv_records.h"

namespace carbonbench::power_model {
namespace {

namespace fs = std::filesystem;

// The first line of a small kernel file, trimmed; "" when it cannot be read.
std::string FirstLine(const fs::path& path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  return Trim(line);
}

bool ParseDouble(const std::string& text, double* value) {
  char* end = nullptr;
  *value = std::strtod(text.c_str(), &end);
  return !text.empty() && *end == '\0';
}

// `leaf` and each folder above it up to `root`, deepest first.
std::vector<fs::path> LevelsUp(const fs::path& root, const std::string& own_path) {
  std::vector<fs::path> levels;
  fs::path relative = fs::path(own_path).relative_path();
  while (true) {
    levels.push_back(root / relative);
    if (relative.empty()) break;
    relative = relative.parent_path();
  }
  return levels;
}

// Tightens `cpus` with one level's quota, from "max 100000" / "50000 100000"
// (v2) or the v1 pair (quota -1 means none).
void ApplyQuota(double quota, double period, const fs::path& file, CgroupCpus* cpus) {
  if (quota <= 0 || period <= 0) return;
  const double limit = quota / period;
  if (cpus->quota_cpus == 0 || limit < cpus->quota_cpus) {
    cpus->quota_cpus = limit;
    cpus->source = file.string();
  }
}

void ApplyCpuset(const fs::path& file, CgroupCpus* cpus, std::string* cpuset_source) {
  if (cpus->cpuset_cpus > 0) return;  // a deeper level already said
  const int count = CountCpuList(FirstLine(file));
  if (count > 0) {
    cpus->cpuset_cpus = count;
    *cpuset_source = file.string();
  }
}

void ReadV2(const fs::path& root, const std::string& own_path, CgroupCpus* cpus,
            std::string* cpuset_source) {
  for (const fs::path& level : LevelsUp(root, own_path)) {
    std::istringstream max(FirstLine(level / "cpu.max"));
    std::string quota_text;
    double period = 0;
    double quota = 0;
    if (max >> quota_text >> period && ParseDouble(quota_text, &quota)) {
      ApplyQuota(quota, period, level / "cpu.max", cpus);
    }
    ApplyCpuset(level / "cpuset.cpus.effective", cpus, cpuset_source);
  }
}

void ReadV1Quota(const fs::path& controller_root, const std::string& own_path, CgroupCpus* cpus) {
  for (const fs::path& level : LevelsUp(controller_root, own_path)) {
    double quota = 0;
    double period = 0;
    if (ParseDouble(FirstLine(level / "cpu.cfs_quota_us"), &quota) &&
        ParseDouble(FirstLine(level / "cpu.cfs_period_us"), &period)) {
      ApplyQuota(quota, period, level / "cpu.cfs_quota_us", cpus);
    }
  }
}

void ReadV1Cpuset(const fs::path& controller_root, const std::string& own_path, CgroupCpus* cpus,
                  std::string* cpuset_source) {
  for (const fs::path& level : LevelsUp(controller_root, own_path)) {
    ApplyCpuset(level / "cpuset.cpus", cpus, cpuset_source);
  }
}

bool HasController(const std::string& list, const std::string& name) {
  std::istringstream in(list);
  for (std::string each; std::getline(in, each, ',');) {
    if (each == name) return true;
  }
  return false;
}

}  // namespace

double CgroupCpus::EffectiveCpus(int logical_cpus) const {
  double cpus = std::max(1, logical_cpus);
  if (cpuset_cpus > 0) cpus = std::min(cpus, static_cast<double>(cpuset_cpus));
  if (quota_cpus > 0) cpus = std::min(cpus, quota_cpus);
  return cpus;
}

int CountCpuList(const std::string& list) {
  // Far above any kernel's CPU count (NR_CPUS is at most 8192): a larger
  // index is a bad list, and the count cannot overflow an int.
  constexpr long kMaxCpuIndex = 1L << 20;
  auto parse = [](const std::string& text, long* value) {
    if (text.empty() || text.find_first_not_of("0123456789") != std::string::npos) return false;
    errno = 0;
    *value = std::strtol(text.c_str(), nullptr, 10);
    return errno == 0 && *value <= kMaxCpuIndex;
  };
  long count = 0;
  std::istringstream in(Trim(list));
  for (std::string range; std::getline(in, range, ',');) {
    range = Trim(range);
    if (range.empty()) continue;
    const auto dash = range.find('-');
    long first = 0;
    if (!parse(range.substr(0, dash), &first)) return 0;
    long last = first;
    if (dash != std::string::npos && (!parse(range.substr(dash + 1), &last) || last < first)) {
      return 0;
    }
    count += last - first + 1;
    if (count > kMaxCpuIndex) return 0;
  }
  return static_cast<int>(count);
}

CgroupCpus ReadCgroupCpus(const std::string& cgroup_root, const std::string& self_cgroup) {
  CgroupCpus cpus;
  std::string cpuset_source;
  const fs::path root(cgroup_root);
  std::istringstream lines(self_cgroup);
  for (std::string line; std::getline(lines, line);) {
    // hierarchy-id:controllers:path (the path may itself hold ':').
    const auto first = line.find(':');
    const auto second = first == std::string::npos ? first : line.find(':', first + 1);
    if (second == std::string::npos) continue;
    const std::string controllers = line.substr(first + 1, second - first - 1);
    const std::string path = Trim(line.substr(second + 1));
    if (controllers.empty()) {
      ReadV2(root, path, &cpus, &cpuset_source);
      continue;
    }
    if (HasController(controllers, "cpu")) {
      // v1 mounts a hierarchy under its controller list ("cpu,cpuacct"),
      // often with a "cpu" link beside it.
      for (const std::string& folder : {controllers, std::string("cpu")}) {
        if (fs::exists(root / folder)) {
          ReadV1Quota(root / folder, path, &cpus);
          break;
        }
      }
    }
    if (HasController(controllers, "cpuset")) {
      ReadV1Cpuset(root / controllers, path, &cpus, &cpuset_source);
    }
  }
  if (!cpuset_source.empty()) {
    cpus.source = cpus.source.empty() ? cpuset_source : cpus.source + ", " + cpuset_source;
  }
  return cpus;
}

}  // namespace carbonbench::power_model
