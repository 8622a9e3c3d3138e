#include "power_model/cpu_families.h"

#include <cmath>
#include <cstdlib>
#include <map>
#include <stdexcept>

#include <fmt/format.h>

#include "power_model/csv_records.h"

namespace carbonbench::power_model {
namespace {

// Column index by header name; throws naming a missing one.
std::map<std::string, std::size_t> Columns(const CsvRecord& header, const std::string& origin) {
  std::map<std::string, std::size_t> columns;
  for (std::size_t i = 0; i < header.fields.size(); ++i) columns[Trim(header.fields[i])] = i;
  for (const char* name : {"vendor_id", "cpu_family", "model_min", "model_max", "microarchitecture",
                           "watts_per_thread", "cpus"}) {
    if (!columns.count(name)) {
      throw std::runtime_error(
          fmt::format("{} line {}: no '{}' column in the header", origin, header.line, name));
    }
  }
  return columns;
}

double NumberCell(const CsvRecord& record, std::size_t column, const std::string& name,
                  const std::string& origin) {
  const std::string text = column < record.fields.size() ? Trim(record.fields[column]) : "";
  char* end = nullptr;
  const double value = std::strtod(text.c_str(), &end);
  if (text.empty() || *end != '\0' || !std::isfinite(value)) {
    throw std::runtime_error(fmt::format("{} line {} column {} ({}): '{}' is not a number", origin,
                                         record.line, column + 1, name, text));
  }
  return value;
}

bool MoreCpus(const CpuFamilyRow& a, const CpuFamilyRow& b) { return a.cpus > b.cpus; }

}  // namespace

std::vector<CpuFamilyRow> ParseCpuFamiliesCsv(const std::string& text, const std::string& origin) {
  const std::vector<CsvRecord> records = SplitCsv(text);
  if (records.empty()) throw std::runtime_error(fmt::format("{}: empty, no header", origin));
  const auto columns = Columns(records[0], origin);
  auto cell = [&](const CsvRecord& record, const char* name) {
    const std::size_t column = columns.at(name);
    return column < record.fields.size() ? Trim(record.fields[column]) : std::string();
  };
  auto number = [&](const CsvRecord& record, const char* name) {
    return NumberCell(record, columns.at(name), name, origin);
  };
  std::vector<CpuFamilyRow> rows;
  for (std::size_t i = 1; i < records.size(); ++i) {
    const CsvRecord& record = records[i];
    if (record.fields.size() == 1 && Trim(record.fields[0]).empty()) continue;
    CpuFamilyRow row;
    row.vendor_id = cell(record, "vendor_id");
    row.cpu_family = static_cast<int>(number(record, "cpu_family"));
    row.model_min = static_cast<int>(number(record, "model_min"));
    row.model_max = static_cast<int>(number(record, "model_max"));
    row.microarchitecture = cell(record, "microarchitecture");
    row.watts_per_thread = number(record, "watts_per_thread");
    row.cpus = static_cast<int>(number(record, "cpus"));
    if (columns.count("source")) row.source = cell(record, "source");
    if (row.watts_per_thread <= 0) {
      throw std::runtime_error(
          fmt::format("{} line {} column {} (watts_per_thread): {} is not a positive power", origin,
                      record.line, columns.at("watts_per_thread") + 1, row.watts_per_thread));
    }
    rows.push_back(row);
  }
  return rows;
}

std::vector<CpuFamilyRow> ReadCpuFamiliesCsv(const std::string& path) {
  return ParseCpuFamiliesCsv(ReadWholeFile(path, "the CPU family power table"), path);
}

FamilyMatch ResolveFamily(const std::vector<CpuFamilyRow>& rows, const std::string& vendor_id,
                          int cpu_family, int model) {
  const CpuFamilyRow* same_family = nullptr;
  const CpuFamilyRow* nearest = nullptr;
  for (const CpuFamilyRow& row : rows) {
    if (row.vendor_id != vendor_id) continue;
    if (cpu_family >= 0 && row.cpu_family == cpu_family) {
      if (model >= row.model_min && model <= row.model_max) {
        return {FamilyMatchKind::kModelRange, row};
      }
      if (!same_family || MoreCpus(row, *same_family)) same_family = &row;
    }
    if (!nearest) {
      nearest = &row;
      continue;
    }
    const int distance = std::abs(row.cpu_family - cpu_family);
    const int best = std::abs(nearest->cpu_family - cpu_family);
    const bool closer = cpu_family >= 0 && distance < best;
    const bool tie = cpu_family < 0 || distance == best;
    if (closer || (tie && MoreCpus(row, *nearest))) nearest = &row;
  }
  if (same_family) return {FamilyMatchKind::kSameFamily, *same_family};
  if (nearest) return {FamilyMatchKind::kNearestFamily, *nearest};
  return {};
}

}  // namespace carbonbench::power_model
