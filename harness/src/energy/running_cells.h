// A machine-wide register of the cells running on it, whichever suite, user
// or Slurm job they belong to: each has a file in a shared folder, locked
// while its process lives. A meter that reads the whole machine (a package
// counter, a GPU's) counts every cell running at once together, so a cell
// that ends asks the register which others overlapped it and its record
// says so.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace carbonbench {

// CARBONBENCH_CELLS_DIR, else /dev/shm/carbonbench-cells (memory, shared by
// every process of the machine), else the same under /tmp.
std::string RunningCellsFolder();

class RunningCellEntry {
 public:
  // Registers this process's cell. The register is best effort: where the
  // folder cannot be written, Overlapping() is nullopt.
  explicit RunningCellEntry(std::string folder = RunningCellsFolder());
  ~RunningCellEntry();  // marks the entry ended, kept a while for others
  RunningCellEntry(const RunningCellEntry&) = delete;
  RunningCellEntry& operator=(const RunningCellEntry&) = delete;

  // How many other cells ran on this machine at some time since this one
  // registered; nullopt when the register could not be used.
  std::optional<std::int64_t> Overlapping() const;

 private:
  std::string folder_;
  std::string path_;
  int fd_ = -1;
  std::int64_t start_ns_ = 0;
};

// The warning for a run that overlapped `others` cells while a meter of the
// machine's scope covered one of its components (named in `meters`, e.g.
// "package_counter"); nullopt when there is nothing to warn of.
std::optional<std::string> OverlapWarning(std::int64_t others, const std::string& meters);

}  // namespace carbonbench
