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
};

struct MeterContext {
  std::string reference_data_dir;  // harness/data: codecarbon/hardware/cpu_power.csv etc.
  int threads = 1;                 // threads this process trains with
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
