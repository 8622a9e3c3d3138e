// Report files are replaced whole or not at all, so a reader never sees a
// half-written report or export.
#pragma once

#include <filesystem>
#include <string>

namespace carbonbench::report {

// Writes `text` to a temporary file beside `path` and renames it into place.
// Throws std::runtime_error naming the file; nothing is left behind on error.
void WriteFileAtomically(const std::filesystem::path& path, const std::string& text);

}  // namespace carbonbench::report
