// Figures from Linux's /proc files, for meters that estimate from what the
// kernel reports (memory size, a process's resident set).
#pragma once

#include <string>

namespace carbonbench {

// The value in kB of the "<key>:" line of a /proc status-style file
// (meminfo, self/status), or 0 when the file or the line is missing.
double ProcKilobytes(const std::string& path, const std::string& key);

}  // namespace carbonbench
