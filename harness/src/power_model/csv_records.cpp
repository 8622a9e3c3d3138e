#include "power_model/csv_records.h"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include <fmt/format.h>

#include "util/regular_file.h"

namespace carbonbench::power_model {

std::string Lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

std::string Trim(const std::string& text) {
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) return "";
  const auto last = text.find_last_not_of(" \t\r\n");
  return text.substr(first, last - first + 1);
}

std::string ReadWholeFile(const std::string& path, const std::string& what) {
  try {
    return ReadRegularFile(path, "file", kMaxPowerModelFileBytes);
  } catch (const std::runtime_error& error) {
    throw std::runtime_error(fmt::format("{} ({})", error.what(), what));
  }
}

std::string ReadFileOrEmpty(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::vector<CsvRecord> SplitCsv(const std::string& text) {
  std::vector<CsvRecord> records;
  CsvRecord record{1, {""}};
  int line = 1;
  bool quoted = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '\n') ++line;
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        record.fields.back() += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        record.fields.back() += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      record.fields.emplace_back();
    } else if (c == '\n') {
      records.push_back(std::move(record));
      record = CsvRecord{line, {""}};
    } else if (c != '\r') {
      record.fields.back() += c;
    }
  }
  if (record.fields.size() > 1 || !record.fields[0].empty()) records.push_back(record);
  return records;
}

}  // namespace carbonbench::power_model
