#include "energy/measurement_record.h"

#include <algorithm>

#include <fmt/format.h>

namespace carbonbench {

std::optional<std::string> OutsideLoadWarning(std::optional<double> outside_load_mean) {
  if (!outside_load_mean || *outside_load_mean < kOutsideLoadWarningShare) return std::nullopt;
  return fmt::format(
      "other programs kept {:.0f}% of the CPUs busy during this run: its time and estimated "
      "energy are inflated; rerun on a quiet machine",
      100.0 * *outside_load_mean);
}

MeasurementRecord MeasurementRecordOf(const std::vector<ComponentSource>& sources,
                                      const std::vector<MeterRecord>& meters,
                                      const SamplingStats& sampling) {
  MeasurementRecord record;
  for (Component component : {Component::kCpu, Component::kGpu, Component::kRam}) {
    ComponentMeasurement& entry = record.components.emplace_back();
    entry.component = ComponentName(component);
    const auto source = std::find_if(sources.begin(), sources.end(), [&](const auto& s) {
      return s.component == component && s.provenance != Provenance::kAbsent;
    });
    if (source == sources.end()) {
      // Never a silent zero: the figure leaves this component out.
      entry.provenance = "not covered";
      continue;
    }
    entry.meter = source->meter;
    entry.provenance = ProvenanceName(source->provenance);
    if (source->band.relative > 0) {
      entry.band_relative = source->band.relative;
      entry.band_basis = source->band.basis;
    }
    const auto meter = std::find_if(meters.begin(), meters.end(), [&](const MeterRecord& m) {
      return m.name && *m.name == source->meter;
    });
    if (meter != meters.end()) {
      entry.method = meter->method;
      entry.scope = meter->scope;
      entry.calibration = meter->calibration;
    }
  }
  record.interval_target_ms = sampling.interval_target_ms;
  record.interval_mean_ms = sampling.interval_mean_ms;
  record.interval_max_gap_ms = sampling.interval_max_gap_ms;
  record.samples = sampling.samples;
  record.outside_load_mean = sampling.outside_load_mean;
  record.outside_load_max = sampling.outside_load_max;
  record.process_load_mean = sampling.process_load_mean;
  record.outside_load_warning = OutsideLoadWarning(sampling.outside_load_mean);
  return record;
}

}  // namespace carbonbench
