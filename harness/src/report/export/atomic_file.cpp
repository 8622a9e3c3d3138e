#include "report/export/atomic_file.h"

#include <unistd.h>

#include <fstream>
#include <stdexcept>
#include <system_error>

#include <fmt/format.h>

namespace carbonbench::report {

void WriteFileAtomically(const std::filesystem::path& path, const std::string& text) {
  // Same folder as the target, so the rename never crosses file systems;
  // the pid keeps two concurrent writers off each other's temporary file.
  std::filesystem::path temporary = path;
  temporary += ".tmp-" + std::to_string(getpid());
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    out << text;
    out.close();
    if (!out) {
      std::error_code ignored;
      std::filesystem::remove(temporary, ignored);
      throw std::runtime_error(fmt::format("cannot write {}", temporary.string()));
    }
  }
  std::error_code error;
  std::filesystem::rename(temporary, path, error);
  if (error) {
    std::error_code ignored;
    std::filesystem::remove(temporary, ignored);
    throw std::runtime_error(
        fmt::format("cannot move a file into place at {}: {}", path.string(), error.message()));
  }
}

}  // namespace carbonbench::report
