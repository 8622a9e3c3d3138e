#include "memory_in_use.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <sstream>
#include <vector>

#include "ram_model.h"

namespace carbonbench::ram_estimate {
namespace {

namespace fs = std::filesystem;

constexpr double kKilobytesPerGb = kBytesPerGb / 1024.0;

// The kB values of `keys` in a status-style file ("Key:   123 kB"), read in
// one pass that stops once all are found: this runs at every sample.
std::map<std::string, double> ReadKilobytes(const std::string& path,
                                            const std::vector<std::string>& keys) {
  std::map<std::string, double> values;
  std::ifstream in(path);
  for (std::string line; values.size() < keys.size() && std::getline(in, line);) {
    const auto colon = line.find(':');
    if (colon == std::string::npos) continue;
    const std::string key = line.substr(0, colon);
    if (std::find(keys.begin(), keys.end(), key) == keys.end()) continue;
    std::istringstream fields(line.substr(colon + 1));
    double kilobytes = 0;
    if (fields >> kilobytes) values[key] = kilobytes;
  }
  return values;
}

std::optional<double> Get(const std::map<std::string, double>& values, const std::string& key) {
  const auto found = values.find(key);
  if (found == values.end()) return std::nullopt;
  return found->second;
}

// The number of bytes in a cgroup file holding one value; none for "max",
// a missing file or anything unparsable.
std::optional<double> ReadBytes(const fs::path& path) {
  std::ifstream in(path);
  std::string token;
  if (!(in >> token)) return std::nullopt;
  try {
    std::size_t used = 0;
    const double bytes = std::stod(token, &used);
    if (used != token.size() || bytes < 0) return std::nullopt;
    return bytes;
  } catch (const std::exception&) {
    return std::nullopt;  // "max": no limit
  }
}

// This process's path in the hierarchy that `wanted` picks from
// /proc/self/cgroup lines ("id:controllers:path"); none without one.
template <typename Predicate>
std::optional<std::string> CgroupPath(const std::string& proc_root, Predicate wanted) {
  std::ifstream in(proc_root + "/self/cgroup");
  for (std::string line; std::getline(in, line);) {
    const auto first = line.find(':');
    const auto second = line.find(':', first + 1);
    if (first == std::string::npos || second == std::string::npos) continue;
    const std::string id = line.substr(0, first);
    const std::string controllers = line.substr(first + 1, second - first - 1);
    if (wanted(id, controllers)) return line.substr(second + 1);
  }
  return std::nullopt;
}

bool HasController(const std::string& controllers, const std::string& name) {
  std::istringstream list(controllers);
  for (std::string controller; std::getline(list, controller, ',');) {
    if (controller == name) return true;
  }
  return false;
}

fs::path WithoutTrailingSlash(const fs::path& path) {
  fs::path normal = path.lexically_normal();
  if (!normal.has_filename() && normal.has_relative_path()) normal = normal.parent_path();
  return normal;
}

// The smallest limit below `machine_total_gb` from this process's cgroup up
// to `base`, the mounted root of its hierarchy. Inside a container the mount
// often is the container's own cgroup while /proc/self/cgroup still names the
// host's path; then the walk starts at the mount.
std::optional<LimitingCgroup> SmallestLimit(const fs::path& base, const std::string& path,
                                            const char* limit_name, const char* usage_name,
                                            int version, double machine_total_gb) {
  const fs::path root = WithoutTrailingSlash(base);
  std::error_code error;
  fs::path dir = WithoutTrailingSlash(root / fs::path(path).relative_path());
  if (!fs::is_directory(dir, error)) dir = root;
  std::optional<LimitingCgroup> smallest;
  double best_gb = machine_total_gb;
  for (;;) {
    const std::optional<double> limit = ReadBytes(dir / limit_name);
    if (limit && *limit / kBytesPerGb < best_gb) {
      best_gb = *limit / kBytesPerGb;
      smallest = LimitingCgroup{(dir / usage_name).string(), best_gb, version};
    }
    if (dir == root || !dir.has_relative_path() || dir.parent_path() == dir) break;
    dir = dir.parent_path();
  }
  return smallest;
}

}  // namespace

std::optional<double> ReadProcessRamGb(const std::string& proc_root) {
  const std::optional<double> kilobytes =
      Get(ReadKilobytes(proc_root + "/self/status", {"VmRSS"}), "VmRSS");
  if (!kilobytes) return std::nullopt;
  return *kilobytes / kKilobytesPerGb;
}

std::optional<double> ReadTotalRamGb(const std::string& proc_root) {
  const std::optional<double> kilobytes =
      Get(ReadKilobytes(proc_root + "/meminfo", {"MemTotal"}), "MemTotal");
  if (!kilobytes || *kilobytes <= 0) return std::nullopt;
  return *kilobytes / kKilobytesPerGb;
}

std::optional<double> ReadMachineInUseGb(const std::string& proc_root) {
  // MemAvailable comes third, so a current kernel's file is read to line 3.
  auto values = ReadKilobytes(proc_root + "/meminfo", {"MemTotal", "MemAvailable"});
  const std::optional<double> total = Get(values, "MemTotal");
  if (!total || *total <= 0) return std::nullopt;
  std::optional<double> available = Get(values, "MemAvailable");
  if (!available) {
    values = ReadKilobytes(proc_root + "/meminfo", {"MemTotal", "MemFree", "Buffers", "Cached"});
    const auto free = Get(values, "MemFree");
    if (!free) return std::nullopt;
    available = *free + Get(values, "Buffers").value_or(0) + Get(values, "Cached").value_or(0);
  }
  return std::clamp(*total - *available, 0.0, *total) / kKilobytesPerGb;
}

std::optional<LimitingCgroup> FindLimitingCgroup(double machine_total_gb,
                                                 const std::string& proc_root,
                                                 const std::string& cgroup_root) {
  const fs::path root(cgroup_root);
  const auto unified =
      CgroupPath(proc_root, [](const std::string& id, const std::string&) { return id == "0"; });
  if (unified) {
    auto limit = SmallestLimit(root, *unified, "memory.max", "memory.current", 2, machine_total_gb);
    if (limit) return limit;
  }
  const auto memory = CgroupPath(proc_root, [](const std::string&, const std::string& controllers) {
    return HasController(controllers, "memory");
  });
  if (!memory) return std::nullopt;
  return SmallestLimit(root / "memory", *memory, "memory.limit_in_bytes", "memory.usage_in_bytes",
                       1, machine_total_gb);
}

std::optional<double> ReadCgroupInUseGb(const LimitingCgroup& cgroup) {
  const std::optional<double> bytes = ReadBytes(cgroup.usage_file);
  if (!bytes) return std::nullopt;
  return std::min(*bytes / kBytesPerGb, cgroup.limit_gb);
}

MemoryInUse MemoryInUse::Process(const std::string& proc_root) {
  return MemoryInUse(Source::kProcess, proc_root, "this process's resident memory (VmRSS)");
}

MemoryInUse MemoryInUse::Machine(const std::string& proc_root, const std::string& cgroup_root) {
  const double total_gb = ReadTotalRamGb(proc_root).value_or(std::numeric_limits<double>::max());
  const std::optional<LimitingCgroup> cgroup = FindLimitingCgroup(total_gb, proc_root, cgroup_root);
  if (!cgroup) {
    return MemoryInUse(Source::kMachine, proc_root,
                       "the machine's memory in use (MemTotal - MemAvailable)");
  }
  std::ostringstream limit;
  limit.precision(3);
  limit << cgroup->limit_gb;
  MemoryInUse memory(
      Source::kCgroup, proc_root,
      "the memory in use in this process's cgroup (" +
          std::string(cgroup->version == 2 ? "memory.current" : "memory.usage_in_bytes") +
          ", capped at its " + limit.str() + " GB limit)");
  memory.cgroup_ = *cgroup;
  return memory;
}

std::optional<double> MemoryInUse::ReadGb() const {
  switch (source_) {
    case Source::kProcess:
      return ReadProcessRamGb(proc_root_);
    case Source::kMachine:
      return ReadMachineInUseGb(proc_root_);
    case Source::kCgroup:
      return ReadCgroupInUseGb(cgroup_);
  }
  return std::nullopt;
}

}  // namespace carbonbench::ram_estimate
