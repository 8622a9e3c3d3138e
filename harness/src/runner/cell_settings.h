// A cell's settings as the values its run uses: the typed look-ups, and the
// training loop's settings with what the suite left at 0 resolved.
#pragma once

#include <cstdint>
#include <string>

#include "suites/suite.h"
#include "training/trainer.h"

namespace carbonbench {

std::int64_t IntSetting(const Cell& cell, const std::string& key);
// For settings the code keeps in an int; validation keeps them in range, so
// out of range here is a bug, thrown as std::out_of_range, not wrapped.
int IntSettingAsInt(const Cell& cell, const std::string& key);
double FloatSetting(const Cell& cell, const std::string& key);  // an integer reads as one
std::string StringSetting(const Cell& cell, const std::string& key);

// `seed` is the repetition's; `device` is resolved (cpu or cuda).
TrainingSettings TrainingSettingsFor(const Cell& cell, std::int64_t seed,
                                     const std::string& device);

}  // namespace carbonbench
