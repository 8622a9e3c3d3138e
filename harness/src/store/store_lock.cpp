#include "store/store_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <stdexcept>

#include <fmt/format.h>

#include "store/store_codec.h"
#include "util/command_line.h"

namespace carbonbench {
namespace {

// What the lock file says of its holder, as written by Record().
std::string HolderOf(int fd) {
  std::string text(4096, '\0');
  const ssize_t n = pread(fd, text.data(), text.size(), 0);
  text.resize(n > 0 ? static_cast<std::size_t>(n) : 0);
  while (!text.empty() && text.back() == '\n') text.pop_back();
  return text.empty() ? "another process (it has not said which yet)" : text;
}

void Record(int fd) {
  const std::string text = fmt::format("process {} ({}), running since {}\n", getpid(),
                                       CommandLineOf(getpid()), NowIso8601Utc());
  // Only informative: a failure to write it leaves the lock held.
  if (ftruncate(fd, 0) == 0) {
    [[maybe_unused]] const ssize_t written = pwrite(fd, text.data(), text.size(), 0);
  }
}

}  // namespace

std::string StoreLockPath(const std::string& store_path) { return store_path + ".lock"; }

StoreLock::StoreLock(const std::string& store_path) {
  const std::string path = StoreLockPath(store_path);
  const std::filesystem::path parent = std::filesystem::path(path).parent_path();
  std::error_code ignored;  // a folder that cannot be made is reported by open
  if (!parent.empty()) std::filesystem::create_directories(parent, ignored);
  // Close-on-exec: a cell's process must not hold the lock past its parent.
  fd_ = open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd_ < 0) {
    throw std::runtime_error(fmt::format("store {}: cannot open its lock file {}: {}", store_path,
                                         path, std::strerror(errno)));
  }
  if (flock(fd_, LOCK_EX | LOCK_NB) != 0) {
    const int error = errno;
    const std::string holder = error == EWOULDBLOCK ? HolderOf(fd_) : "";
    close(fd_);
    fd_ = -1;
    if (error != EWOULDBLOCK) {
      throw std::runtime_error(
          fmt::format("store {}: cannot lock {}: {}", store_path, path, std::strerror(error)));
    }
    throw std::runtime_error(fmt::format(
        "store {} is being written by {}; two runs writing one store would replace each "
        "other's attempts. Wait for that run to end (it may be resumed later with the same "
        "command), or give this one another --store and combine the stores afterwards with "
        "`carbonbench merge`",
        store_path, holder));
  }
  Record(fd_);
}

StoreLock::~StoreLock() {
  // Closing the descriptor releases the flock; the file stays for the next
  // run, saying who held it last.
  if (fd_ >= 0) close(fd_);
}

}  // namespace carbonbench
