// Small helpers of the store's rows.
#pragma once

#include <string>

namespace carbonbench {

// The current time as ISO 8601 UTC with seconds: "2024-05-01T12:34:56Z".
std::string NowIso8601Utc();

}  // namespace carbonbench
