// Report files are replaced whole or not at all, so a reader never sees a
// half-written report or export.
#pragma once

#include <filesystem>
#include <string>

namespace carbonbench::report {

// Writes `text` to a temporary file beside `path` and renames it into place.
// Throws std::runtime_error naming the file and the OS's reason (a full
// disk with what to do about it); nothing is left behind on error.
void WriteFileAtomically(const std::filesystem::path& path, const std::string& text);

// "cannot write PATH: No space left on device; ..." for a report file.
std::string ReportWriteError(const std::filesystem::path& path, int os_errno);

}  // namespace carbonbench::report
