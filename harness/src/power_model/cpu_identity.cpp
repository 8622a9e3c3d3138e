#include "power_model/cpu_identity.h"

#include <cstdlib>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "power_model/csv_records.h"

namespace carbonbench::power_model {
namespace {

// A decimal number, or `otherwise` when the text is not one.
int ToInt(const std::string& text, int otherwise) {
  char* end = nullptr;
  const long value = std::strtol(text.c_str(), &end, 10);
  return (!text.empty() && *end == '\0') ? static_cast<int>(value) : otherwise;
}

bool HasWord(const std::string& words, const std::string& word) {
  std::istringstream in(words);
  for (std::string each; in >> each;) {
    if (each == word) return true;
  }
  return false;
}

}  // namespace

CpuIdentity ParseCpuInfo(const std::string& text) {
  CpuIdentity identity;
  int processors = 0;
  std::set<std::string> physical_ids;
  std::map<std::string, int> cores_per_socket;  // physical id -> "cpu cores"
  std::string physical_id;                      // of the entry being read
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    const auto colon = line.find(':');
    if (colon == std::string::npos) continue;
    const std::string key = Trim(line.substr(0, colon));
    const std::string value = Trim(line.substr(colon + 1));
    if (key == "processor") {
      ++processors;
      physical_id = "0";
    } else if (key == "model name" && identity.model_name.empty()) {
      identity.model_name = value;
    } else if (key == "vendor_id" && identity.vendor_id.empty()) {
      identity.vendor_id = value;
    } else if (key == "cpu family" && identity.cpu_family < 0) {
      identity.cpu_family = ToInt(value, -1);
    } else if (key == "model" && identity.model < 0) {
      identity.model = ToInt(value, -1);
    } else if (key == "physical id") {
      physical_id = value;
      physical_ids.insert(value);
    } else if (key == "cpu cores") {
      cores_per_socket[physical_id] = ToInt(value, 0);
    } else if (key == "siblings" && identity.siblings == 0) {
      identity.siblings = ToInt(value, 0);
    } else if ((key == "flags" || key == "Features") && HasWord(value, "hypervisor")) {
      identity.hypervisor = true;
    }
  }
  identity.logical_cpus = processors > 0 ? processors : 1;
  identity.sockets = physical_ids.empty() ? 1 : static_cast<int>(physical_ids.size());
  for (const auto& [socket, cores] : cores_per_socket) identity.physical_cores += cores;
  return identity;
}

CpuIdentity ReadCpuIdentity(const std::string& proc_root) {
  return ParseCpuInfo(ReadFileOrEmpty(proc_root + "/cpuinfo"));
}

std::string VendorFromModelName(const std::string& model_name) {
  const std::string lower = Lower(model_name);
  if (lower.rfind("amd", 0) == 0) return "AuthenticAMD";
  if (lower.find("intel") != std::string::npos) return "GenuineIntel";
  return "";
}

}  // namespace carbonbench::power_model
