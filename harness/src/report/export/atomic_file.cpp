#include "report/export/atomic_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <system_error>

#include <fmt/format.h>

namespace carbonbench::report {
namespace {

// Writes all of `text` to `fd`; the errno of the first failure, else 0.
int WriteAll(int fd, const std::string& text) {
  std::size_t written = 0;
  while (written < text.size()) {
    const ssize_t n = write(fd, text.data() + written, text.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return errno;
    written += static_cast<std::size_t>(n);
  }
  return 0;
}

}  // namespace

std::string ReportWriteError(const std::filesystem::path& path, int os_errno) {
  std::string message = fmt::format("cannot write {}: {}", path.string(), std::strerror(os_errno));
  if (os_errno == ENOSPC || os_errno == EDQUOT || os_errno == EFBIG) {
    message +=
        "; the reports folder's disk has no room for it. The results are safe in the store: free "
        "space (or pass --reports-dir with another folder) and run `carbonbench report SUITE` to "
        "write the report again";
  }
  return message;
}

void WriteFileAtomically(const std::filesystem::path& path, const std::string& text) {
  // Same folder as the target, so the rename never crosses file systems;
  // the pid keeps two concurrent writers off each other's temporary file.
  std::filesystem::path temporary = path;
  temporary += ".tmp-" + std::to_string(getpid());
  const int fd = open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) throw std::runtime_error(ReportWriteError(path, errno));
  int error = WriteAll(fd, text);
  // A full disk may only show when the data is flushed, at close.
  if (close(fd) != 0 && error == 0) error = errno;
  if (error != 0) {
    unlink(temporary.c_str());
    throw std::runtime_error(ReportWriteError(path, error));
  }
  std::error_code rename_error;
  std::filesystem::rename(temporary, path, rename_error);
  if (rename_error) {
    unlink(temporary.c_str());
    throw std::runtime_error(fmt::format("cannot move a file into place at {}: {}", path.string(),
                                         rename_error.message()));
  }
}

}  // namespace carbonbench::report
