#include "report/export/emissions_csv.h"

#include <filesystem>
#include <map>
#include <optional>
#include <stdexcept>

#include <fmt/format.h>

#include "report/export/atomic_file.h"
#include "store/meter_scope.h"

namespace carbonbench::report {
namespace {

std::string Number(double value) { return fmt::format("{}", value); }

// RFC 4180: quote a field holding a comma, quote or line break.
std::string CsvField(const std::string& text) {
  if (text.find_first_of(",\"\r\n") == std::string::npos) return text;
  std::string quoted = "\"";
  for (char c : text) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  return quoted + "\"";
}

// A recorded detail as the CSV writes it; empty when the run has none.
std::string TextOf(const std::optional<std::string>& value) { return value.value_or(""); }
template <class T>
std::string TextOf(const std::optional<T>& value) {
  return value ? Number(static_cast<double>(*value)) : "";
}
// A figure CodeCarbon writes as 0 when it has none (its defaults: no GPU,
// no utilisation sample, no water use): 0 here too, so readers of
// CodeCarbon's files see what they expect.
template <class T>
std::string NumberOrZero(const std::optional<T>& value) {
  return Number(value ? static_cast<double>(*value) : 0.0);
}

// CodeCarbon writes "2024-05-01T12:34:56" without a zone.
std::string Timestamp(const std::string& iso_utc) {
  return !iso_utc.empty() && iso_utc.back() == 'Z' ? iso_utc.substr(0, iso_utc.size() - 1)
                                                   : iso_utc;
}

// "process" when the CPU figure is this process's share, "machine" when it
// covers the whole machine: as the CPU's meter declared it.
std::string TrackingMode(const RunRow& run) {
  for (const PhaseEnergy& phase : run.summary.phases) {
    if (phase.component == "cpu") return RecordedMeterScope(run.start, phase.meter);
  }
  return "";
}

std::vector<std::string> Row(const RunRow& run) {
  const RunStart& start = run.start;
  const RunSummary& summary = run.summary;
  const CarbonDetails& carbon = start.carbon;
  const EnvironmentRecord& environment = start.environment;
  const UsageRecord& usage = summary.usage;

  std::map<std::string, double> wh;  // per component, PUE applied
  for (const PhaseEnergy& phase : summary.phases) wh[phase.component] += phase.energy_wh;
  const double pue = start.pue > 0 ? start.pue : 1.0;
  auto power_w = [&](const std::string& component) {
    return summary.duration_s > 0 ? wh[component] / pue * 3600.0 / summary.duration_s : 0.0;
  };
  const double emissions_kg = summary.co2_g / 1000.0;
  const std::string cloud_provider = TextOf(carbon.cloud_provider);
  const std::string subdivision = TextOf(carbon.subdivision);

  return {
      Timestamp(run.finished_at.empty() ? run.started_at : run.finished_at),
      start.suite,                                                // project_name
      fmt::format("{}-{}", start.config_hash, start.repetition),  // run_id
      start.cell_name,                                            // experiment_id
      Number(summary.duration_s),
      Number(emissions_kg),
      Number(summary.duration_s > 0 ? emissions_kg / summary.duration_s : 0.0),
      Number(power_w("cpu")),
      Number(power_w("gpu")),
      Number(power_w("ram")),
      Number(wh["cpu"] / 1000.0),
      Number(wh["gpu"] / 1000.0),
      Number(wh["ram"] / 1000.0),
      Number(summary.energy_wh / 1000.0),  // energy_consumed
      "0",                                 // water_consumed: CodeCarbon's WUE defaults to 0 L/kWh
      TextOf(carbon.country_name),
      TextOf(carbon.country_iso_code),
      subdivision,  // region
      cloud_provider,
      TextOf(carbon.cloud_region),
      TextOf(environment.os),
      "",                         // python_version
      "",                         // codecarbon_version
      TextOf(environment.cores),  // cpu_count
      TextOf(environment.cpu),    // cpu_model
      NumberOrZero(usage.gpu_count),
      TextOf(usage.gpu_model),
      "",                          // longitude
      "",                          // latitude
      TextOf(usage.ram_total_gb),  // ram_total_size
      TrackingMode(run),
      NumberOrZero(usage.cpu_utilization_percent),
      NumberOrZero(usage.gpu_utilization_percent),
      "0",  // ram_utilization_percent: not sampled, CodeCarbon's default
      NumberOrZero(usage.ram_used_gb),
      cloud_provider.empty() ? "N" : "Y",  // on_cloud
      Number(pue),
      "0",  // wue: unknown; CodeCarbon's default
  };
}

std::string JoinCsv(const std::vector<std::string>& fields) {
  std::string line;
  for (std::size_t i = 0; i < fields.size(); ++i) {
    line += (i ? "," : "") + CsvField(fields[i]);
  }
  return line + "\n";
}

}  // namespace

const std::vector<std::string>& EmissionsCsvColumns() {
  static const std::vector<std::string> columns = {"timestamp",
                                                   "project_name",
                                                   "run_id",
                                                   "experiment_id",
                                                   "duration",
                                                   "emissions",
                                                   "emissions_rate",
                                                   "cpu_power",
                                                   "gpu_power",
                                                   "ram_power",
                                                   "cpu_energy",
                                                   "gpu_energy",
                                                   "ram_energy",
                                                   "energy_consumed",
                                                   "water_consumed",
                                                   "country_name",
                                                   "country_iso_code",
                                                   "region",
                                                   "cloud_provider",
                                                   "cloud_region",
                                                   "os",
                                                   "python_version",
                                                   "codecarbon_version",
                                                   "cpu_count",
                                                   "cpu_model",
                                                   "gpu_count",
                                                   "gpu_model",
                                                   "longitude",
                                                   "latitude",
                                                   "ram_total_size",
                                                   "tracking_mode",
                                                   "cpu_utilization_percent",
                                                   "gpu_utilization_percent",
                                                   "ram_utilization_percent",
                                                   "ram_used_gb",
                                                   "on_cloud",
                                                   "pue",
                                                   "wue"};
  return columns;
}

std::string RenderEmissionsCsv(const std::vector<RunRow>& runs) {
  std::string csv = JoinCsv(EmissionsCsvColumns());
  for (const RunRow& run : runs) {
    if (run.status == "finished") csv += JoinCsv(Row(run));
  }
  return csv;
}

std::string WriteEmissionsCsv(const ResultsStore& store, const std::string& suite,
                              const std::string& reports_dir) {
  const std::vector<RunRow> runs = store.LoadRuns(suite);
  if (runs.empty()) {
    throw std::runtime_error(
        fmt::format("store {} holds no run of suite '{}'; run the suite into this store first "
                    "(carbonbench run SUITE.yaml), or pass --store with the store it ran into",
                    store.path(), suite));
  }
  std::filesystem::create_directories(reports_dir);
  const std::filesystem::path path =
      std::filesystem::path(reports_dir) / (suite + ".emissions.csv");
  WriteFileAtomically(path, RenderEmissionsCsv(runs));
  return path.string();
}

}  // namespace carbonbench::report
