// "Measurement": how each run's energy was obtained, as the run recorded it:
// per component the meter, provenance, scope, error band and calibration;
// the sampling achieved; and the load other programs put on the machine,
// which inflates every figure apportioned by CPU time.
#include <algorithm>
#include <iterator>
#include <optional>
#include <vector>

#include <fmt/format.h>

#include "report/render/sections.h"

namespace carbonbench::report {
namespace {

bool IsEmpty(const MeasurementRecord& record) {
  return record.components.empty() && !record.interval_target_ms && !record.interval_mean_ms &&
         !record.interval_max_gap_ms && !record.samples && !record.outside_load_mean &&
         !record.outside_load_max && !record.process_load_mean && !record.outside_load_warning;
}

// "mynet/baseline rep 1": repetitions counted from 1, as the inference table does.
std::string RunLabel(const RunRow& run) {
  return fmt::format("{} rep {}", run.start.cell_name, run.start.repetition + 1);
}

std::string Or(const std::optional<std::string>& text) {
  return text && !text->empty() ? *text : kNone;
}

std::string BandCell(const ComponentMeasurement& component) {
  if (!component.band_relative || *component.band_relative <= 0) return kNone;
  std::string text = BandPercentText(*component.band_relative * 100.0);
  if (component.band_basis && !component.band_basis->empty()) text += ": " + *component.band_basis;
  return text;
}

// One component's row: everything that says how its figure was obtained.
using ComponentRow = std::vector<std::string>;

ComponentRow RowOf(const ComponentMeasurement& component) {
  return {Or(component.component),  Or(component.meter),        Or(component.provenance),
          Or(component.method),     ScopeText(component.scope), BandCell(component),
          Or(component.calibration)};
}

std::vector<ComponentRow> SetupOf(const MeasurementRecord& record) {
  std::vector<ComponentRow> rows;
  for (const ComponentMeasurement& component : record.components) rows.push_back(RowOf(component));
  return rows;
}

std::string ComponentTable(const std::vector<ComponentRow>& rows) {
  MarkdownTable table(
      {{"Component"}, {"Meter"}, {"Provenance"}, {"Method"}, {"Scope"}, {"Band"}, {"Calibration"}});
  for (const ComponentRow& row : rows) table.AddRow(row);
  return table.Render();
}

// Runs with the same components measured alike share one table, so a suite
// run on one machine with one set of meters shows a single one.
std::string Setups(const std::vector<const RunRow*>& runs) {
  std::vector<std::pair<std::vector<ComponentRow>, std::vector<std::string>>> setups;
  for (const RunRow* run : runs) {
    const std::vector<ComponentRow> setup = SetupOf(run->summary.measurement);
    auto found = std::find_if(setups.begin(), setups.end(),
                              [&setup](const auto& known) { return known.first == setup; });
    if (found == setups.end()) {
      setups.push_back({setup, {}});
      found = std::prev(setups.end());
    }
    found->second.push_back(RunLabel(*run));
  }
  if (setups.size() == 1) {
    return fmt::format("{}:\n\n",
                       runs.size() == 1
                           ? "The recorded run"
                           : fmt::format("All {} recorded runs, measured alike", runs.size())) +
           ComponentTable(setups.front().first) + "\n";
  }
  std::string text;
  for (const auto& [setup, labels] : setups) {
    text += EscapeText(fmt::format("{}:", fmt::join(labels, ", "))) + "\n\n" +
            ComponentTable(setup) + "\n";
  }
  return text;
}

std::string Ms(const std::optional<double>& value) {
  return value ? Fixed(*value, 0) : std::string(kNone);
}

std::string Percent(const std::optional<double>& share) {
  return share ? Fixed(*share * 100.0, 0) + "%" : std::string(kNone);
}

std::string SamplingTable(const std::vector<const RunRow*>& runs) {
  MarkdownTable table({{"Run"},
                       {"Interval ms", Align::kRight},
                       {"Mean ms", Align::kRight},
                       {"Largest gap ms", Align::kRight},
                       {"Samples", Align::kRight},
                       {"Outside load mean", Align::kRight},
                       {"Outside load max", Align::kRight},
                       {"Own load", Align::kRight}});
  for (const RunRow* run : runs) {
    const MeasurementRecord& m = run->summary.measurement;
    table.AddRow({RunLabel(*run), Ms(m.interval_target_ms), Ms(m.interval_mean_ms),
                  Ms(m.interval_max_gap_ms), m.samples ? Count(*m.samples) : kNone,
                  Percent(m.outside_load_mean), Percent(m.outside_load_max),
                  Percent(m.process_load_mean)});
  }
  return table.Render();
}

std::string Warnings(const std::vector<const RunRow*>& runs) {
  std::string text;
  for (const RunRow* run : runs) {
    const MeasurementRecord& m = run->summary.measurement;
    for (const auto* warning : {&m.outside_load_warning, &m.overlap_warning}) {
      if (*warning && !(*warning)->empty()) {
        text +=
            "**Warning** (" + EscapeText(RunLabel(*run)) + "): " + EscapeText(**warning) + "\n\n";
      }
    }
  }
  return text;
}

}  // namespace

std::string ScopeText(const std::optional<std::string>& scope) {
  if (!scope || scope->empty()) return kNone;
  if (*scope == "machine") return "whole machine";
  if (*scope == "process") return "this run's process";
  return *scope;
}

std::string EnergyWithProvenance(double energy_wh, const std::vector<const RunRow*>& runs,
                                 const std::vector<MeterInfo>& meters, double band_wh) {
  std::string detail = CommonProvenance(runs);
  // "mixed: cpu measured, ..." already has its colon.
  std::string separator = detail.find(':') == std::string::npos ? ": " : "; ";
  for (const MeterInfo& meter : meters) {
    if (!meter.available) continue;
    std::string method = meter.method;
    // The method is a sentence; inside parentheses its full stop is noise.
    if (!method.empty() && method.back() == '.') method.pop_back();
    detail += separator + meter.name + (method.empty() ? "" : ", " + method);
    separator = "; ";
  }
  return fmt::format("{} ({})", WithBand(Significant(energy_wh) + " Wh", energy_wh, band_wh),
                     detail);
}

namespace {

// The suite's total energy and CO2 with the meters and methods behind them,
// what an estimate's differences mean, and what a counter covers.
std::string Totals(const std::vector<RunRow>& runs) {
  double energy_wh = 0;
  double co2_g = 0;
  std::vector<double> bands;
  std::vector<const RunRow*> all;
  for (const RunRow& run : runs) {
    energy_wh += run.summary.energy_wh;
    co2_g += run.summary.co2_g;
    bands.push_back(run.summary.energy_band_wh);
    all.push_back(&run);
  }
  const double band_wh = SumOfBands(bands);
  const double co2_band_g = energy_wh > 0 ? co2_g * band_wh / energy_wh : 0;
  return fmt::format("All runs together: {}, {} (from {} energy).\n\n",
                     EnergyWithProvenance(energy_wh, all, MetersOf(runs), band_wh),
                     WithBand(Significant(co2_g) + " g CO2", co2_g, co2_band_g),
                     ProvenanceWord(CommonProvenance(all))) +
         EstimateStatement(all) + MeasuredCoverage(all);
}

}  // namespace

std::string MeasurementSection(const ReportInput& input) {
  if (input.runs.empty()) return "";
  std::vector<const RunRow*> recorded;
  std::vector<std::string> unrecorded;
  for (const RunRow& run : input.runs) {
    if (IsEmpty(run.summary.measurement)) {
      unrecorded.push_back(RunLabel(run));
    } else {
      recorded.push_back(&run);
    }
  }
  std::string text = "## Measurement\n\n" + Totals(input.runs);
  if (recorded.empty()) {
    return text + "Not recorded (stored before measurement records).\n\n";
  }
  text +=
      "How each run's energy was obtained, as it recorded it. A component \"not covered\" has no "
      "figure: it is left out of the energy, not counted as zero. Band is the estimate's error "
      "as a share of its figure, with what it rests on.\n\n" +
      Setups(recorded) +
      "Sampling achieved (the meters read every interval; a long gap blurs the phases' split) "
      "and the load on the machine from outside the run, as a share of its CPU capacity: "
      "outside load inflates every figure apportioned by CPU time.\n\n" +
      SamplingTable(recorded) + "\n" + Warnings(recorded);
  if (!unrecorded.empty()) {
    text += EscapeText(fmt::format("Not recorded (stored before measurement records): {}.",
                                   fmt::join(unrecorded, ", "))) +
            "\n\n";
  }
  return text;
}

}  // namespace carbonbench::report
