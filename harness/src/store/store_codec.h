// How the list-valued parts of a run are kept in the runs table: as JSON
// text, so a new field of PhaseEnergy needs no schema change. Decoding is
// lenient about missing keys (older rows) and ignores unknown ones (newer).
#pragma once

#include <string>
#include <vector>

#include "store/results_store.h"

namespace carbonbench {

std::string EncodePhases(const std::vector<PhaseEnergy>& phases);
std::vector<PhaseEnergy> DecodePhases(const std::string& json_text);

std::string EncodeWarnings(const std::vector<std::string>& warnings);
std::vector<std::string> DecodeWarnings(const std::string& json_text);

// The current time as ISO 8601 UTC with seconds: "2024-05-01T12:34:56Z".
std::string NowIso8601Utc();

}  // namespace carbonbench
