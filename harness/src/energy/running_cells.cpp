#include "energy/running_cells.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <sstream>
#include <system_error>

#include <fmt/format.h>

#include "carbonbench/regular_file.h"

namespace carbonbench {
namespace {

namespace fs = std::filesystem;

// Ended entries are kept this long, so a cell of up to two days still sees
// the shorter ones that came and went while it ran.
constexpr std::int64_t kKeepEndedNs = 48LL * 3600 * 1000000000;

std::int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// "START END": END is 0 while the cell runs. Anyone can write in the
// folder, so anything but a small regular file (a FIFO would block a
// plain open) is no entry.
bool ReadSpan(const fs::path& path, std::int64_t* start, std::int64_t* end) {
  try {
    std::istringstream in(ReadRegularFile(path.string(), "running-cell entry", 256));
    return static_cast<bool>(in >> *start >> *end);
  } catch (const std::runtime_error&) {
    return false;
  }
}

void WriteSpan(int fd, std::int64_t start, std::int64_t end) {
  const std::string text = fmt::format("{} {}\n", start, end);
  if (ftruncate(fd, 0) == 0) {
    [[maybe_unused]] const ssize_t written = pwrite(fd, text.data(), text.size(), 0);
  }
}

// Whether the entry's process still holds its lock: alive.
bool Held(const fs::path& path) {
  const int fd = open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) return false;
  const bool held = flock(fd, LOCK_SH | LOCK_NB) != 0;
  close(fd);
  return held;
}

std::int64_t ModifiedNs(const fs::path& path) {
  struct stat info {};
  if (stat(path.c_str(), &info) != 0) return 0;
  return static_cast<std::int64_t>(info.st_mtim.tv_sec) * 1000000000 + info.st_mtim.tv_nsec;
}

}  // namespace

std::string RunningCellsFolder() {
  const char* set = std::getenv("CARBONBENCH_CELLS_DIR");
  if (set != nullptr && *set != '\0') return set;
  std::error_code error;
  return fs::is_directory("/dev/shm", error) ? "/dev/shm/carbonbench-cells"
                                             : "/tmp/carbonbench-cells";
}

RunningCellEntry::RunningCellEntry(std::string folder) : folder_(std::move(folder)) {
  start_ns_ = NowNs();
  // Shared by every user of the machine, as /tmp is: anyone adds, each
  // removes only their own.
  if (mkdir(folder_.c_str(), 01777) == 0) chmod(folder_.c_str(), 01777);
  char host[256] = {};
  gethostname(host, sizeof(host) - 1);
  path_ = fmt::format("{}/{}-{}-{}.cell", folder_, host, getpid(), start_ns_);
  fd_ = open(path_.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd_ < 0) return;
  if (flock(fd_, LOCK_EX | LOCK_NB) != 0) {
    close(fd_);
    fd_ = -1;
    return;
  }
  WriteSpan(fd_, start_ns_, 0);
}

RunningCellEntry::~RunningCellEntry() {
  if (fd_ < 0) return;
  WriteSpan(fd_, start_ns_, NowNs());
  close(fd_);  // releases the lock
}

std::optional<std::int64_t> RunningCellEntry::Overlapping() const {
  if (fd_ < 0) return std::nullopt;
  const std::int64_t now = NowNs();
  std::int64_t others = 0;
  std::error_code error;
  for (const fs::directory_entry& entry : fs::directory_iterator(folder_, error)) {
    const fs::path& path = entry.path();
    if (path == path_ || path.extension() != ".cell") continue;
    std::int64_t start = 0, end = 0;
    if (!ReadSpan(path, &start, &end)) continue;
    if (end == 0) end = Held(path) ? now : ModifiedNs(path);  // 0 and unheld: killed
    if (end > 0 && end < now - kKeepEndedNs) {
      fs::remove(path, error);  // fails quietly on another user's entry
      continue;
    }
    if (start < now && end > start_ns_) ++others;
  }
  return others;
}

std::optional<std::string> OverlapWarning(std::int64_t others, const std::string& meters) {
  if (others <= 0 || meters.empty()) return std::nullopt;
  return fmt::format(
      "{} other cell(s) ran on this machine during this run, and {} read(s) the whole machine: "
      "their draw is in this run's energy too. Run one cell per machine (Slurm: sbatch "
      "--exclusive) or use meters of the process's scope",
      others, meters);
}

}  // namespace carbonbench
