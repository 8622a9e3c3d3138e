// What a meter's figures in a stored run cover: this process's share of the
// machine, or the whole machine. Runs record it as their meters declared it;
// runs stored before that read it from a table of what the meters declared
// then, so old stores give the same answers as they always did.
#pragma once

#include <map>
#include <string>

#include "records/run_records.h"

namespace carbonbench {

// "process" or "machine": as recorded with the run, else as the meter
// declared before runs recorded it, else "machine".
std::string RecordedMeterScope(const RunStart& start, const std::string& meter);

// The meter -> scope table of a CSV with the header "meter,scope".
std::map<std::string, std::string> ParseMeterScopes(const std::string& csv);

}  // namespace carbonbench
