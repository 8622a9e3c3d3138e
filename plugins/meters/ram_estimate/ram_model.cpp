#include "ram_model.h"

#include <algorithm>

namespace carbonbench::ram_estimate {

double RamPowerW(double memory_gb) { return kWattsPerGb * std::max(0.0, memory_gb); }

}  // namespace carbonbench::ram_estimate
