#include "energy_reading.h"

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <sstream>
#include <stdexcept>

#include <fmt/format.h>

#include "carbonbench/utf8.h"

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
  if (end == word.c_str() || *end != '\0') return std::nullopt;
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

std::string Quoted(const std::string& raw) {
  constexpr std::size_t kMaxBytes = 200;
  std::string text = raw;
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  std::string quoted = "'";
  for (std::size_t pos = 0; pos < text.size();) {
    if (quoted.size() > kMaxBytes) return quoted + "...'";
    const std::size_t length = Utf8SequenceLength(text, pos);
    const auto lead = static_cast<unsigned char>(text[pos]);
    if (length == 0 || (length == 1 && (lead < 0x20 || lead == 0x7F) && lead != '\t')) {
      quoted += lead == '\n' ? std::string("\\n") : fmt::format("\\x{:02X}", lead);
      ++pos;
      continue;
    }
    quoted.append(text, pos, length);
    pos += length;
  }
  return quoted + "'";
}

double CheckedReading(const std::string& text, const std::string& source) {
  if (const std::optional<std::size_t> bad = FirstInvalidUtf8Byte(text)) {
    throw std::runtime_error(fmt::format(
        "{} printed bytes that are not UTF-8 text (byte {} is 0x{:02X}): {}; it must print a "
        "number such as '1234.5'",
        source, *bad, static_cast<unsigned char>(text[*bad]), Quoted(text)));
  }
  const std::optional<double> reading = ParseReading(text);
  if (!reading) {
    throw std::runtime_error(
        fmt::format("{} gave no number: {} (expected a cumulative reading on its first line, "
                    "such as '1234.5' or 'energy_joules_total 1234.5')",
                    source, Quoted(text)));
  }
  if (!std::isfinite(*reading)) {
    throw std::runtime_error(fmt::format(
        "{} gave a reading that is not a finite number: {} (a cumulative energy is a number "
        "such as '1234.5')",
        source, Quoted(text)));
  }
  if (*reading < 0) {
    throw std::runtime_error(
        fmt::format("{} gave a negative reading: {} (a cumulative energy cannot be negative)",
                    source, Quoted(text)));
  }
  return *reading;
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
