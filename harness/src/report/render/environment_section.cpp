// Where and how the suite ran: machine, meters, carbon settings, warnings.
#include <algorithm>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include "records/record_json.h"
#include "report/render/sections.h"

namespace carbonbench::report {
namespace {

std::string ValueText(const nlohmann::json& value) {
  return value.is_string() ? value.get<std::string>() : value.dump();
}

// The first run's environment; nlohmann's objects iterate in key order.
std::string EnvironmentTable(const RunRow& first) {
  // Every key recorded, known to this release or not.
  const nlohmann::json environment = ToJson(first.start.environment);
  if (environment.empty()) {
    return "No environment was recorded.\n\n";
  }
  MarkdownTable table({{"Key"}, {"Value"}});
  for (const auto& [key, value] : environment.items()) {
    table.AddRow({key, ValueText(value)});
  }
  return table.Render() + "\n";
}

// Runs resumed on another machine are flagged: their figures may not be
// comparable with the rest.
std::string EnvironmentDifferences(const std::vector<RunRow>& runs) {
  const std::string first = EncodeRecord(runs.front().start.environment);
  std::vector<std::string> ids;
  for (const RunRow& run : runs) {
    if (EncodeRecord(run.start.environment) != first) {
      ids.push_back(std::to_string(run.id));
    }
  }
  if (ids.empty()) return "";
  return fmt::format(
      "Note: {} of {} runs recorded a different environment than the first "
      "(run ids {}); their figures may not be comparable.\n\n",
      ids.size(), runs.size(), fmt::join(ids, ", "));
}

std::string MetersTable(const std::vector<MeterInfo>& meters) {
  if (meters.empty()) return "Meters: none recorded.\n\n";
  MarkdownTable table({{"Meter"}, {"Method"}, {"Components"}});
  for (const MeterInfo& meter : meters) {
    if (meter.available) {
      table.AddRow({meter.name, meter.method, meter.components});
    } else {
      table.AddRow({meter.name, "not used: " + meter.reason, kNone});
    }
  }
  return "Meters:\n\n" + table.Render() + "\n";
}

// "IN-TN → IND": the codes tried before the one whose figure was used.
std::string FallbackLine(const CarbonDetails& carbon) {
  if (!carbon.fallback_path || carbon.fallback_path->size() < 2) return "";
  return fmt::format("- Fallback: {}\n", fmt::join(*carbon.fallback_path, " → "));
}

std::string CarbonLines(const RunRow& run) {
  const CarbonDetails& carbon = run.start.carbon;
  const int year = carbon.year.value_or(0);
  const std::string pue_source = carbon.pue_source.value_or("");
  const std::string hourly = carbon.intensity_csv.value_or("");
  return fmt::format(
             "- Region: requested {}, used {}\n"
             "- Carbon intensity: {} g/kWh ({}{})\n",
             run.start.region_requested.empty() ? kNone : run.start.region_requested,
             run.start.region_used.empty() ? kNone : run.start.region_used,
             Fixed(run.start.intensity_g_per_kwh, kIntensityDigits),
             run.start.intensity_source.empty() ? "source not recorded"
                                                : run.start.intensity_source,
             year > 0 ? fmt::format(", figure for {}", year) : "") +
         FallbackLine(carbon) +
         (hourly.empty() ? ""
                         : "- Hourly intensity: " + hourly +
                               " (each increment of energy is charged at its hour's "
                               "intensity; the figure above covers hours outside the file)\n") +
         fmt::format("- PUE: {}{}\n", Fixed(run.start.pue, kPueDigits),
                     pue_source.empty() ? "" : " (" + pue_source + ")");
}

// The idle baseline the suite measured, once per distinct baseline.
std::string IdleLines(const std::vector<RunRow>& runs) {
  std::vector<std::string> lines;
  for (const RunRow& run : runs) {
    const IdleRecord& idle = run.start.idle;
    if (!idle.watts) continue;
    double total_w = 0;
    std::vector<std::string> parts;
    for (const auto& [component, watts] : *idle.watts) {
      total_w += watts;
      std::string part = fmt::format("{} {} W", component, Significant(watts));
      if (idle.provenance && idle.provenance->count(component)) {
        part += " " + idle.provenance->at(component);
      }
      parts.push_back(part);
    }
    lines.push_back(fmt::format(
        "- Idle baseline: {} W over {} s before the first cell ({}); \"above idle\" energy "
        "subtracts it for the run's duration\n",
        Significant(total_w), Significant(idle.duration_s.value_or(0.0)), fmt::join(parts, ", ")));
  }
  std::string text;
  for (const std::string& line : Distinct(lines)) text += line;
  return text;
}

// Normally one block: region and PUE are suite settings. Several appear only
// when the store holds runs made under different carbon settings.
std::string CarbonSettings(const std::vector<RunRow>& runs) {
  std::vector<std::string> blocks;
  for (const RunRow& run : runs) blocks.push_back(CarbonLines(run));
  std::string text;
  for (const std::string& block : Distinct(blocks)) text += block;
  return text;
}

std::string TimeSpan(const std::vector<RunRow>& runs) {
  std::string first_start;
  std::string last_end;
  for (const RunRow& run : runs) {
    if (first_start.empty() || run.started_at < first_start) {
      first_start = run.started_at;
    }
    last_end = std::max(last_end, run.finished_at);
  }
  if (first_start.empty()) return "";
  return fmt::format("- Runs: started {}, last ended {}\n", first_start,
                     last_end.empty() ? kNone : last_end);
}

std::string Warnings(const std::vector<RunRow>& runs) {
  std::vector<std::string> all;
  for (const RunRow& run : runs) {
    all.insert(all.end(), run.summary.warnings.begin(), run.summary.warnings.end());
  }
  std::string text = "### Warnings\n\n";
  const std::vector<std::string> distinct = Distinct(all);
  if (distinct.empty()) return text + "None.\n\n";
  for (const std::string& warning : distinct) text += "- " + warning + "\n";
  return text + "\n";
}

}  // namespace

std::string EnvironmentSection(const ReportInput& input) {
  if (input.runs.empty()) return "";
  const RunRow& first = input.runs.front();
  return "## Environment\n\n" + EnvironmentTable(first) + EnvironmentDifferences(input.runs) +
         MetersTable(MetersOf(input.runs)) + CarbonSettings(input.runs) + IdleLines(input.runs) +
         TimeSpan(input.runs) + "\n" + Warnings(input.runs);
}

}  // namespace carbonbench::report
