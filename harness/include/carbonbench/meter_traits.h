// What a meter declares about itself without being created or started: the
// host reads these to pick the default meters and to label what a figure
// covers, so it never needs to know a meter by name.
#pragma once

namespace carbonbench {

// What a meter's figures cover: this process's share of the machine (an
// estimate apportioned by CPU time), or everything the machine drew (a
// counter on the package, the DIMMs, the GPU or the wall socket).
enum class MeterScope { kProcess, kMachine };

const char* MeterScopeName(MeterScope scope);  // "process" or "machine"

struct MeterTraits {
  // Used when a suite lists no meters (if it can measure here).
  bool default_on = false;
  // Order among the default meters, lowest first; each component is read
  // from the first available meter that covers it, so a measuring meter
  // ranks before an estimate of the same component.
  int default_rank = 0;
  MeterScope scope = MeterScope::kMachine;
};

}  // namespace carbonbench
