#include "energy/reference_files.h"

#include <algorithm>
#include <cctype>
#include <sstream>
#include <stdexcept>

#include <fmt/format.h>

#include "util/regular_file.h"

namespace carbonbench::detail {

std::string Upper(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return text;
}

std::string Lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

namespace {

// The file whole, through OpenRegularFile: a FIFO, a device or a folder is
// refused by name without blocking, and so is a file above the limit.
std::string ReadReferenceFile(const std::string& path, const std::string& remedy) {
  try {
    return ReadRegularFile(path, "file", kMaxReferenceFileBytes);
  } catch (const std::runtime_error& error) {
    throw std::runtime_error(fmt::format("{} ({})", error.what(), remedy));
  }
}

}  // namespace

nlohmann::json ReadJsonFile(const std::string& path, const std::string& remedy) {
  const std::string text = ReadReferenceFile(path, remedy);
  try {
    return nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& error) {
    throw std::runtime_error(fmt::format("{} is not valid JSON: {}", path, error.what()));
  }
}

std::string CodecarbonPath(const std::string& reference_data_dir, const std::string& file) {
  return reference_data_dir + "/codecarbon/" + file;
}

nlohmann::json ReadCodecarbonJson(const std::string& reference_data_dir, const std::string& file) {
  return ReadJsonFile(CodecarbonPath(reference_data_dir, file),
                      "carbonbench's reference data; it ships in harness/data/codecarbon");
}

std::vector<std::string> SplitCsvLine(const std::string& line) {
  std::vector<std::string> fields(1);
  bool quoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        fields.back() += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        fields.back() += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      fields.emplace_back();
    } else {
      fields.back() += c;
    }
  }
  return fields;
}

std::vector<std::vector<std::string>> ReadCsvFile(const std::string& path,
                                                  const std::string& remedy,
                                                  std::vector<int>* line_numbers) {
  std::istringstream in(ReadReferenceFile(path, remedy));
  std::vector<std::vector<std::string>> rows;
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (number == 1 && line.compare(0, 3, "\xEF\xBB\xBF") == 0) line.erase(0, 3);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.find_first_not_of(" \t") == std::string::npos) continue;
    rows.push_back(SplitCsvLine(line));
    if (line_numbers != nullptr) line_numbers->push_back(number);
  }
  return rows;
}

}  // namespace carbonbench::detail
