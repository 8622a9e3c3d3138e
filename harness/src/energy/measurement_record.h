// A run's measurement record: per component which meter covered it and how
// (or that none did), how regularly the meters were read, and how busy other
// programs kept the machine meanwhile.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "energy/energy_sampler.h"
#include "records/run_details.h"

namespace carbonbench {

// From this share of the machine's CPU capacity kept busy by other programs
// on, a run's figures are distorted enough to say so: its threads then share
// the cores often enough to stretch its wall time, and every figure
// apportioned by CPU share or charged per second (the estimates, the idle
// and RAM draw) grows with that time.
inline constexpr double kOutsideLoadWarningShare = 0.25;

// The warning for a run whose outside load (its mean share, 0-1) reached
// kOutsideLoadWarningShare; nullopt below it or when it is unknown.
std::optional<std::string> OutsideLoadWarning(std::optional<double> outside_load_mean);

// One entry per component (cpu, gpu, ram, in that order): from the meter in
// `sources` that covered it, with its method, scope and calibration as
// `meters` describes it, or "not covered" with no meter. The sampling
// figures and the outside load come from `sampling`, with the warning when
// the load calls for one.
MeasurementRecord MeasurementRecordOf(const std::vector<ComponentSource>& sources,
                                      const std::vector<MeterRecord>& meters,
                                      const SamplingStats& sampling);

}  // namespace carbonbench
