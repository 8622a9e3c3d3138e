#include "energy_reading.h"

#include <cstdlib>
#include <sstream>

namespace carbonbench::external_meter {

std::optional<double> ParseReading(const std::string& text) {
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    const auto first = line.find_first_not_of(" \t\r");
    if (first == std::string::npos || line[first] == '#') continue;
    std::optional<double> last;
    std::istringstream words(line);
    for (std::string word; words >> word;) {
      char* end = nullptr;
      const double value = std::strtod(word.c_str(), &end);
      if (end != word.c_str() && *end == '\0') last = value;
    }
    return last;
  }
  return std::nullopt;
}

std::optional<double> JoulesPerUnit(const std::string& unit) {
  if (unit == "J") return 1.0;
  if (unit == "Wh") return 3600.0;
  if (unit == "kWh") return 3.6e6;
  return std::nullopt;
}

}  // namespace carbonbench::external_meter
