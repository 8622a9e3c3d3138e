#include "power_model/score_file.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <map>
#include <stdexcept>

#include <fmt/format.h>

#include "power_model/csv_records.h"

namespace carbonbench::power_model {
namespace {

constexpr const char* kRequired[] = {"cpu_model", "sockets", "logical_cpus", "load", "measured_w"};

class ScoreParser {
 public:
  ScoreParser(const std::string& origin, const CsvRecord& header) : origin_(origin) {
    for (std::size_t i = 0; i < header.fields.size(); ++i) {
      columns_.emplace(Trim(header.fields[i]), i);  // the first of a repeated name counts
    }
    for (const char* name : kRequired) {
      if (!columns_.count(name)) {
        throw std::runtime_error(fmt::format(
            "{} line {}: no '{}' column; the header must name cpu_model, sockets, logical_cpus, "
            "load and measured_w (any order, exact spelling)",
            origin_, header.line, name));
      }
    }
  }

  ScoreRow Row(const CsvRecord& record) const {
    ScoreRow row;
    row.line = record.line;
    row.cpu_model = Cell(record, "cpu_model");
    if (row.cpu_model.empty())
      Fail(record, "cpu_model", "is empty: name the CPU as /proc/cpuinfo does");
    row.sockets = PositiveInteger(record, "sockets");
    row.logical_cpus = PositiveInteger(record, "logical_cpus");
    if (columns_.count("physical_cores") && !Cell(record, "physical_cores").empty()) {
      row.physical_cores = PositiveInteger(record, "physical_cores");
    }
    row.load = Number(record, "load");
    if (row.load < 0 || row.load > 1) {
      Fail(record, "load",
           fmt::format("{:g} is outside 0-1: give the machine's busy fraction (50 % is 0.5)",
                       row.load));
    }
    row.measured_w = Number(record, "measured_w");
    if (row.measured_w <= 0) {
      Fail(record, "measured_w",
           fmt::format("{:g} W is not a positive power: fix the reading or drop the row",
                       row.measured_w));
    }
    return row;
  }

 private:
  std::string Cell(const CsvRecord& record, const char* name) const {
    const std::size_t column = columns_.at(name);
    return column < record.fields.size() ? Trim(record.fields[column]) : "";
  }

  [[noreturn]] void Fail(const CsvRecord& record, const char* name, const std::string& what) const {
    throw std::runtime_error(fmt::format("{} line {} column {} ({}): {}", origin_, record.line,
                                         columns_.at(name) + 1, name, what));
  }

  double Number(const CsvRecord& record, const char* name) const {
    const std::string text = Cell(record, name);
    char* end = nullptr;
    const double value = std::strtod(text.c_str(), &end);
    if (text.empty()) Fail(record, name, "is empty: give a number");
    if (*end != '\0' || !std::isfinite(value)) {
      Fail(record, name, fmt::format("'{}' is not a number: write plain decimals like 0.5", text));
    }
    return value;
  }

  int PositiveInteger(const CsvRecord& record, const char* name) const {
    const std::string text = Cell(record, name);
    char* end = nullptr;
    const long value = std::strtol(text.c_str(), &end, 10);
    if (text.empty() || *end != '\0' || value <= 0 || value > 1000000) {
      Fail(record, name, fmt::format("'{}' is not a positive whole number", text));
    }
    return static_cast<int>(value);
  }

  std::string origin_;
  std::map<std::string, std::size_t> columns_;
};

// Running sums for one group.
struct Sums {
  int rows = 0;
  double abs_relative = 0;
  double relative = 0;
  double estimated = 0;
  double measured = 0;
  std::vector<std::string> paths;

  void Add(double estimate_w, double measured_w, const char* path) {
    ++rows;
    abs_relative += std::abs(estimate_w - measured_w) / measured_w;
    relative += (estimate_w - measured_w) / measured_w;
    estimated += estimate_w;
    measured += measured_w;
    if (std::find(paths.begin(), paths.end(), path) == paths.end()) paths.push_back(path);
  }

  ScoreSummary Summary(const std::string& cpu_model) const {
    ScoreSummary summary;
    summary.cpu_model = cpu_model;
    for (const std::string& path : paths) {
      summary.paths += (summary.paths.empty() ? "" : ", ") + path;
    }
    summary.rows = rows;
    if (rows > 0) {
      summary.mape_pct = 100.0 * abs_relative / rows;
      summary.bias_pct = 100.0 * relative / rows;
      summary.energy_ratio = measured > 0 ? estimated / measured : 0;
    }
    return summary;
  }
};

}  // namespace

std::vector<ScoreRow> ParseScoreCsv(const std::string& text, const std::string& origin) {
  const std::vector<CsvRecord> records = SplitCsv(text);
  if (records.empty()) {
    throw std::runtime_error(fmt::format(
        "{}: empty; it needs a header naming cpu_model, sockets, logical_cpus, load, measured_w "
        "and one row per measurement",
        origin));
  }
  const ScoreParser parser(origin, records[0]);
  std::vector<ScoreRow> rows;
  for (std::size_t i = 1; i < records.size(); ++i) {
    const CsvRecord& record = records[i];
    if (record.fields.size() == 1 && Trim(record.fields[0]).empty()) continue;  // blank line
    rows.push_back(parser.Row(record));
  }
  if (rows.empty()) {
    throw std::runtime_error(
        fmt::format("{}: a header but no measurements; add one row per measurement", origin));
  }
  return rows;
}

std::vector<ScoreRow> ReadScoreCsv(const std::string& path) {
  return ParseScoreCsv(ReadWholeFile(path, "the measurements to score"), path);
}

double EstimateRowW(const ScoreRow& row, const EstimatorTables& tables, EstimatePath* path) {
  // A row is a bare-metal machine: no hypervisor, no control group, no
  // calibration profile (profiles describe this machine, not the row's).
  MachineFacts facts;
  facts.cpu.model_name = row.cpu_model;
  facts.cpu.vendor_id = VendorFromModelName(row.cpu_model);
  facts.cpu.sockets = row.sockets;
  facts.cpu.logical_cpus = row.logical_cpus;
  facts.cpu.physical_cores = row.physical_cores;
  const MachinePowerModel model = ResolveMachinePowerModel(facts, tables, EstimatorOptions{});
  if (path) *path = model.path;
  return model.PowerW(row.load);
}

ScoreResult ScoreRows(const std::vector<ScoreRow>& rows, const EstimatorTables& tables) {
  std::vector<std::string> order;
  std::map<std::string, Sums> per_cpu;
  Sums overall;
  for (const ScoreRow& row : rows) {
    EstimatePath path = EstimatePath::kDefault;
    const double estimate_w = EstimateRowW(row, tables, &path);
    if (!per_cpu.count(row.cpu_model)) order.push_back(row.cpu_model);
    per_cpu[row.cpu_model].Add(estimate_w, row.measured_w, EstimatePathName(path));
    overall.Add(estimate_w, row.measured_w, EstimatePathName(path));
  }
  ScoreResult result;
  for (const std::string& cpu_model : order) {
    result.per_cpu.push_back(per_cpu.at(cpu_model).Summary(cpu_model));
  }
  result.overall = overall.Summary("");
  return result;
}

}  // namespace carbonbench::power_model
