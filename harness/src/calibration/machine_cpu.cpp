#include "calibration/machine_cpu.h"

#include <cctype>
#include <fstream>
#include <set>
#include <sstream>
#include <stdexcept>
#include <utility>

#include <fmt/format.h>

namespace carbonbench::calibration {
namespace {

std::string Trimmed(const std::string& text) {
  const auto first = text.find_first_not_of(" \t");
  if (first == std::string::npos) return "";
  const auto last = text.find_last_not_of(" \t\r");
  return text.substr(first, last - first + 1);
}

// "key<tabs>: value" into key and value; false for a line without ':'.
bool SplitCpuinfoLine(const std::string& line, std::string* key, std::string* value) {
  const auto colon = line.find(':');
  if (colon == std::string::npos) return false;
  *key = Trimmed(line.substr(0, colon));
  *value = Trimmed(line.substr(colon + 1));
  return true;
}

std::string ReadText(const std::string& path, bool required) {
  std::ifstream in(path);
  if (!in) {
    if (!required) return "";
    throw std::runtime_error(fmt::format(
        "cannot read {}: the CPU's load is read there (Linux with /proc mounted)", path));
  }
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

MachineCpu ParseMachineCpu(const std::string& cpuinfo_text, const std::string& stat_text) {
  MachineCpu machine;
  std::set<std::string> sockets;
  std::set<std::pair<std::string, std::string>> cores;
  std::string socket = "0";
  std::istringstream cpuinfo(cpuinfo_text);
  for (std::string line; std::getline(cpuinfo, line);) {
    std::string key;
    std::string value;
    if (!SplitCpuinfoLine(line, &key, &value)) continue;
    if (key == "model name" && machine.model.empty()) machine.model = value;
    if (key == "physical id") {
      socket = value;
      sockets.insert(value);
    }
    // "core id" follows "physical id" within one processor's block.
    if (key == "core id") cores.insert({socket, value});
  }
  int logical = 0;
  std::istringstream stat(stat_text);
  for (std::string line; std::getline(stat, line);) {
    if (line.size() > 3 && line.compare(0, 3, "cpu") == 0 &&
        std::isdigit(static_cast<unsigned char>(line[3]))) {
      ++logical;
    }
  }
  machine.topology.logical_cpus = logical > 0 ? logical : 1;
  machine.topology.sockets = sockets.empty() ? 1 : static_cast<int>(sockets.size());
  machine.topology.physical_cores = static_cast<int>(cores.size());
  return machine;
}

MachineCpu ReadMachineCpu(const std::string& proc_root) {
  return ParseMachineCpu(ReadText(proc_root + "/cpuinfo", false),
                         ReadText(proc_root + "/stat", true));
}

}  // namespace carbonbench::calibration
