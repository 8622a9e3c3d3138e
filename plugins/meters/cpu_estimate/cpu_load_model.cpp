#include "cpu_load_model.h"

#include <time.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include <fmt/format.h>

#include "power_model/csv_records.h"

namespace carbonbench::cpu_estimate {
namespace {

using power_model::ReadWholeFile;
using power_model::Trim;

std::vector<std::string> SplitWords(const std::string& text) {
  std::istringstream in(text);
  std::vector<std::string> words;
  for (std::string word; in >> word;) words.push_back(word);
  return words;
}

// The first whitespace-separated line starting with `key` in /proc/stat.
std::vector<std::string> FindStatLine(const std::string& text, const std::string& key) {
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    std::vector<std::string> words = SplitWords(line);
    if (!words.empty() && words[0] == key) return words;
  }
  return {};
}

double Seconds(clockid_t clock) {
  timespec now{};
  clock_gettime(clock, &now);
  return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) * 1e-9;
}

// after - before, or 0 when a counter went backwards (reset, or a container
// runtime that virtualises /proc/stat).
std::uint64_t Increase(std::uint64_t before, std::uint64_t after) {
  return after >= before ? after - before : 0;
}

}  // namespace

CpuJiffies ParseProcStat(const std::string& text) {
  const std::vector<std::string> words = FindStatLine(text, "cpu");
  // user nice system idle [iowait irq softirq steal [guest guest_nice]]
  if (words.size() < 5) {
    throw std::runtime_error(
        "/proc/stat has no aggregate 'cpu' line with user, nice, system and idle times");
  }
  std::vector<std::uint64_t> fields;
  for (std::size_t i = 1; i < words.size() && i <= 8; ++i) {
    char* end = nullptr;
    fields.push_back(std::strtoull(words[i].c_str(), &end, 10));
    if (*end != '\0') {
      throw std::runtime_error(
          fmt::format("/proc/stat 'cpu' line: field {} '{}' is not a jiffy count", i, words[i]));
    }
  }
  // guest and guest_nice (fields 9, 10) are already counted in user and nice.
  CpuJiffies jiffies;
  for (std::uint64_t field : fields) jiffies.total += field;
  const std::uint64_t idle = fields[3] + (fields.size() > 4 ? fields[4] : 0);
  jiffies.busy = jiffies.total - idle;
  return jiffies;
}

CpuJiffies ReadProcStat(const std::string& proc_root) {
  return ParseProcStat(ReadWholeFile(proc_root + "/stat", "the kernel's CPU time counters"));
}

std::string ReadCpuModelName(const std::string& proc_root) {
  std::ifstream in(proc_root + "/cpuinfo");
  for (std::string line; std::getline(in, line);) {
    const auto colon = line.find(':');
    if (colon != std::string::npos && Trim(line.substr(0, colon)) == "model name") {
      return Trim(line.substr(colon + 1));
    }
  }
  return "";
}

CpuSnapshot TakeCpuSnapshot(const std::string& proc_root) {
  CpuSnapshot snapshot;
  snapshot.wall_s = Seconds(CLOCK_MONOTONIC);
  snapshot.process_cpu_s = Seconds(CLOCK_PROCESS_CPUTIME_ID);
  snapshot.machine = ReadProcStat(proc_root);
  return snapshot;
}

IntervalEstimate EstimateInterval(const CpuSnapshot& before, const CpuSnapshot& after,
                                  const MachinePower& machine_power_w, double ticks_per_s,
                                  double container_cpus) {
  const std::uint64_t busy = Increase(before.machine.busy, after.machine.busy);
  const std::uint64_t total = Increase(before.machine.total, after.machine.total);
  IntervalEstimate estimate;
  estimate.machine_load =
      total > 0 ? std::clamp(static_cast<double>(busy) / static_cast<double>(total), 0.0, 1.0)
                : 0.0;
  // Both sides of the share count CPU-seconds summed over all cores.
  const double busy_s = ticks_per_s > 0 ? static_cast<double>(busy) / ticks_per_s : 0.0;
  const double process_s = std::max(0.0, after.process_cpu_s - before.process_cpu_s);
  estimate.process_share = busy_s > 0 ? std::clamp(process_s / busy_s, 0.0, 1.0) : 0.0;
  const double wall_s = std::max(0.0, after.wall_s - before.wall_s);
  if (container_cpus > 0) {
    estimate.machine_load =
        wall_s > 0 ? std::clamp(process_s / (container_cpus * wall_s), 0.0, 1.0) : 0.0;
    estimate.process_share = process_s > 0 ? 1.0 : 0.0;
  }
  estimate.power_w = machine_power_w(estimate.machine_load) * estimate.process_share;
  estimate.joules = estimate.power_w * wall_s;
  return estimate;
}

}  // namespace carbonbench::cpu_estimate
