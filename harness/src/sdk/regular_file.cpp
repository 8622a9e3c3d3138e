#include "carbonbench/regular_file.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace carbonbench {
namespace {

std::string ErrnoText(int error) { return std::strerror(error); }

}  // namespace

RegularFile::~RegularFile() {
  if (fd_ >= 0) ::close(fd_);
}

RegularFile::RegularFile(RegularFile&& other) noexcept
    : fd_(other.fd_), size_bytes_(other.size_bytes_) {
  other.fd_ = -1;
}

int RegularFile::Release() {
  const int fd = fd_;
  fd_ = -1;
  return fd;
}

std::string FileKindName(unsigned mode) {
  switch (mode & S_IFMT) {
    case S_IFREG:
      return "a regular file";
    case S_IFDIR:
      return "a folder";
    case S_IFIFO:
      return "a FIFO";
    case S_IFCHR:
      return "a character device";
    case S_IFBLK:
      return "a block device";
    case S_IFSOCK:
      return "a socket";
    case S_IFLNK:
      return "a symbolic link";
  }
  return "not a regular file";
}

std::string ByteCountText(std::int64_t bytes) {
  static const char* kUnits[] = {"bytes", "KiB", "MiB", "GiB", "TiB"};
  int unit = 0;
  while (unit < 4 && bytes >= 1024 && bytes % 1024 == 0) {
    bytes /= 1024;
    ++unit;
  }
  return std::to_string(bytes) + " " + kUnits[unit];
}

RegularFile OpenRegularFile(const std::string& path, const std::string& what) {
  // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer.
  const int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) {
    throw std::runtime_error("cannot open " + what + " " + path + ": " + ErrnoText(errno));
  }
  RegularFile file(fd, 0);
  struct stat info {};
  if (::fstat(fd, &info) != 0) {
    throw std::runtime_error("cannot read " + what + " " + path + ": " + ErrnoText(errno));
  }
  if (!S_ISREG(info.st_mode)) {
    throw std::runtime_error(what + " " + path + " is " + FileKindName(info.st_mode) +
                             ", not a regular file; expected a file of data (check the path, "
                             "and what a symbolic link there points to)");
  }
  // Regular files never block; reads should wait for the disk as usual.
  const int flags = ::fcntl(fd, F_GETFL);
  if (flags >= 0) ::fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
  return RegularFile(file.Release(), static_cast<std::int64_t>(info.st_size));
}

std::string ReadRegularFile(const std::string& path, const std::string& what,
                            std::int64_t max_bytes) {
  const RegularFile file = OpenRegularFile(path, what);
  const auto too_big = [&](const std::string& size) {
    return std::runtime_error(what + " " + path + " is " + size + "; the limit is " +
                              ByteCountText(max_bytes) +
                              " (it is read whole into memory): is this the right file?");
  };
  if (file.size_bytes() > max_bytes) {
    throw too_big(std::to_string(file.size_bytes()) + " bytes");
  }
  std::string contents(static_cast<std::size_t>(file.size_bytes()), '\0');
  std::size_t filled = 0;
  // Loops to the end rather than trusting the size: the file may grow while
  // it is read, and that too stops at the limit.
  while (true) {
    if (filled == contents.size()) {
      if (static_cast<std::int64_t>(filled) > max_bytes) {
        throw too_big("more than " + std::to_string(max_bytes) + " bytes");
      }
      contents.resize(filled + 64 * 1024);
    }
    const ssize_t got = ::read(file.fd(), &contents[filled], contents.size() - filled);
    if (got < 0) {
      if (errno == EINTR) continue;
      throw std::runtime_error("cannot read " + what + " " + path + ": " + ErrnoText(errno));
    }
    if (got == 0) break;
    filled += static_cast<std::size_t>(got);
  }
  if (static_cast<std::int64_t>(filled) > max_bytes) {
    throw too_big("more than " + std::to_string(max_bytes) + " bytes");
  }
  contents.resize(filled);
  return contents;
}

std::string FolderProblem(const std::string& path) {
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) {
    return errno == ENOENT || errno == ENOTDIR ? "does not exist"
                                               : "cannot be read: " + ErrnoText(errno);
  }
  if (!S_ISDIR(info.st_mode)) return "is " + FileKindName(info.st_mode) + ", not a folder";
  DIR* dir = ::opendir(path.c_str());
  if (dir == nullptr) return "cannot be read: " + ErrnoText(errno);
  ::closedir(dir);
  // Listing needs read permission, opening the files in it search permission.
  if (::access(path.c_str(), X_OK) != 0) return "cannot be read: " + ErrnoText(errno);
  return "";
}

}  // namespace carbonbench
