#include "energy_reading.h"

#include <cmath>
#include <cstdlib>
#include <sstream>

namespace carbonbench::external_meter {
namespace detail {

// Prometheus label sets may hold spaces and digits: "{plug=\"desk 2\"}".
std::string WithoutLabels(const std::string& line) {
  std::string out;
  bool in_labels = false;
  for (char c : line) {
    if (c == '{') in_labels = true;
    if (!in_labels) out += c;
    if (c == '}') in_labels = false;
  }
  return out;
}

std::optional<double> WholeNumber(const std::string& word) {
  char* end = nullptr;
  const double value = std::strtod(word.c_str(), &end);
  if (end == word.c_str() || *end != '\0' || !std::isfinite(value)) return std::nullopt;
  return value;
}

}  // namespace detail

std::optional<double> ParseReading(const std::string& text) {
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    const auto first = line.find_first_not_of(" \t\r");
    if (first == std::string::npos || line[first] == '#') continue;
    std::istringstream words(detail::WithoutLabels(line));
    for (std::string word; words >> word;) {
      if (const auto value = detail::WholeNumber(word)) return value;
    }
    return std::nullopt;
  }
  return std::nullopt;
}

std::optional<double> JoulesPerUnit(const std::string& unit) {
  if (unit == "J") return 1.0;
  if (unit == "Wh") return 3600.0;
  if (unit == "kWh") return 3.6e6;
  return std::nullopt;
}

void CumulativeJoules::Reset(double reading_j) {
  last_j_ = reading_j;
  joules_ = 0;
}

void CumulativeJoules::Add(double reading_j) {
  joules_ += reading_j >= last_j_ ? reading_j - last_j_ : reading_j;
  last_j_ = reading_j;
}

}  // namespace carbonbench::external_meter
