// Energy meter plugins report cumulative energy per component, each with its
// provenance, so no estimate is ever shown as a measurement.
#pragma once

#include <map>
#include <string>
#include <type_traits>
#include <vector>

#include "carbonbench/meter_traits.h"
#include "carbonbench/params.h"
#include "carbonbench/plugin.h"

namespace carbonbench {

enum class Component { kCpu, kGpu, kRam };
enum class Provenance { kMeasured, kEstimated, kAbsent };

const char* ComponentName(Component component);
const char* ProvenanceName(Provenance provenance);

struct Availability {
  bool available = false;
  std::string reason;  // why not, and how to fix it; or what will be used
  // What the user should know although the meter works, e.g. a calibration
  // profile that was refused so the meter fell back to its table. The run
  // prints each and stores them with its warnings.
  std::vector<std::string> warnings;
};

struct MeterContext {
  std::string reference_data_dir;  // harness/data: codecarbon/hardware/cpu_power.csv etc.
  int threads = 1;                 // threads this process trains with
  // Where `carbonbench calibrate` keeps this machine's calibration profiles;
  // "" for none (then meters use their tables only).
  std::string calibration_dir;
};

// How far a figure may be from the truth, and what that rests on. An
// estimate carries the error its model showed in validation (or in this
// machine's calibration); a counter may state its own accuracy.
struct ErrorBand {
  double relative = 0;  // ± this fraction of the figure: 0.35 is ±35 %; 0 when unknown
  std::string basis;    // one phrase: "leave-one-machine-out validation on 6 machines"
};

// A meter declares its traits with a static member the host reads without
// creating it:
//   static MeterTraits Traits() { return {true, 30, MeterScope::kProcess}; }
// A meter without one is off by default and covers the machine.
class Meter : public Plugin {
 public:
  virtual void Configure(const Params& params, const MeterContext& context) {
    (void)params;
    (void)context;
  }
  virtual Availability Probe() = 0;
  virtual std::vector<Component> Components() const = 0;
  virtual Provenance ProvenanceOf(Component component) const = 0;
  // One sentence on how the figures are obtained, stored with every run.
  virtual std::string Method() const = 0;
  // The error band of this meter's figure for `component`; none known by
  // default. Valid after Probe().
  virtual ErrorBand BandOf(Component component) const {
    (void)component;
    return {};
  }
  // The calibration the figures use, in a phrase ("calibrated on this
  // machine against rapl on 2026-12-07, ±4 %"); "" when none.
  virtual std::string Calibration() const { return ""; }
  // Sets the zero point of ReadJoules().
  virtual void Start() = 0;
  // Cumulative joules per component since Start(). Called from the sampler
  // thread only, so implementations need no locking of their own.
  virtual std::map<Component, double> ReadJoules() = 0;
};

namespace detail {

template <typename T, typename = void>
struct HasMeterTraits : std::false_type {};
template <typename T>
struct HasMeterTraits<T, std::void_t<decltype(T::Traits())>> : std::true_type {};

template <typename T>
MeterTraits MeterTraitsOf() {
  if constexpr (HasMeterTraits<T>::value) {
    return T::Traits();
  } else {
    return {};
  }
}

template <typename T>
struct KindDeclarations<Meter, T> {
  static constexpr MeterTraits (*kMeterTraits)() = &MeterTraitsOf<T>;
};

}  // namespace detail
}  // namespace carbonbench
