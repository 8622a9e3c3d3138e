#include "store/meter_scope.h"

#include <sstream>

#include "carbonbench/meter_traits.h"

namespace carbonbench {
namespace {

// harness/data/meters/scopes_before_recording.csv, compiled in so that a
// report needs no data folder to read an old store.
constexpr const char* kScopesBeforeRecording =
#include "store/scopes_before_recording.inc"
    ;

const std::map<std::string, std::string>& ScopesBeforeRecording() {
  static const std::map<std::string, std::string> scopes = ParseMeterScopes(kScopesBeforeRecording);
  return scopes;
}

}  // namespace

std::map<std::string, std::string> ParseMeterScopes(const std::string& csv) {
  std::map<std::string, std::string> scopes;
  std::istringstream lines(csv);
  std::string line;
  std::getline(lines, line);  // the header
  while (std::getline(lines, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    const auto comma = line.find(',');
    if (comma == std::string::npos) continue;
    scopes[line.substr(0, comma)] = line.substr(comma + 1);
  }
  return scopes;
}

std::string RecordedMeterScope(const RunStart& start, const std::string& meter) {
  for (const MeterRecord& entry : start.meters) {
    if (entry.name == meter && entry.scope) return *entry.scope;
  }
  const auto& before = ScopesBeforeRecording();
  const auto it = before.find(meter);
  return it != before.end() ? it->second : MeterScopeName(MeterScope::kMachine);
}

}  // namespace carbonbench
