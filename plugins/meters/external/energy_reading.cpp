#include "energy_reading.h"

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <sstream>
#include <stdexcept>

#include <fmt/format.h>

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

// The length of the well-formed UTF-8 sequence at `pos` (RFC 3629: no
// overlong forms, no surrogates, nothing above U+10FFFF), 0 when there is none.
std::size_t SequenceLength(const std::string& text, std::size_t pos) {
  const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
  const unsigned char lead = byte(pos);
  if (lead < 0x80) return 1;
  std::size_t length = 0;
  unsigned char low = 0x80, high = 0xBF;  // the second byte's range
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    if (lead == 0xE0) low = 0xA0;
    if (lead == 0xED) high = 0x9F;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    if (lead == 0xF0) low = 0x90;
    if (lead == 0xF4) high = 0x8F;
  } else {
    return 0;
  }
  if (pos + length > text.size()) return 0;
  if (byte(pos + 1) < low || byte(pos + 1) > high) return 0;
  for (std::size_t i = 2; i < length; ++i) {
    if (byte(pos + i) < 0x80 || byte(pos + i) > 0xBF) return 0;
  }
  return length;
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

std::optional<std::size_t> FirstInvalidUtf8Byte(const std::string& text) {
  for (std::size_t pos = 0; pos < text.size();) {
    const std::size_t length = detail::SequenceLength(text, pos);
    if (length == 0) return pos;
    pos += length;
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
    const std::size_t length = detail::SequenceLength(text, pos);
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
