#include "carbonbench/dataset_spec.h"
#include "carbonbench/meter.h"
#include "carbonbench/meter_traits.h"
#include "carbonbench/plugin.h"

namespace carbonbench {

const char* PluginKindName(PluginKind kind) {
  switch (kind) {
    case PluginKind::kModel:
      return "model";
    case PluginKind::kOptimization:
      return "optimization";
    case PluginKind::kMeter:
      return "meter";
  }
  return "unknown";
}

const char* InputKindName(InputKind kind) {
  switch (kind) {
    case InputKind::kImage:
      return "image";
    case InputKind::kTokens:
      return "tokens";
    case InputKind::kSeries:
      return "series";
  }
  return "unknown";
}

const char* ComponentName(Component component) {
  switch (component) {
    case Component::kCpu:
      return "cpu";
    case Component::kGpu:
      return "gpu";
    case Component::kRam:
      return "ram";
  }
  return "unknown";
}

const char* ProvenanceName(Provenance provenance) {
  switch (provenance) {
    case Provenance::kMeasured:
      return "measured";
    case Provenance::kEstimated:
      return "estimated";
    case Provenance::kAbsent:
      return "absent";
  }
  return "unknown";
}

const char* MeterScopeName(MeterScope scope) {
  switch (scope) {
    case MeterScope::kProcess:
      return "process";
    case MeterScope::kMachine:
      return "machine";
  }
  return "unknown";
}

}  // namespace carbonbench
