// The CSV the power model reads (CodeCarbon's TDP table, the CPU family
// table, score files), split into records that keep their line numbers so
// every error can name the line and column it is about.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace carbonbench::power_model {

struct CsvRecord {
  int line = 0;  // 1-based line the record starts on
  std::vector<std::string> fields;
};

// Double quotes protect commas and newlines, "" inside quotes is a literal
// quote, a trailing \r is dropped. A blank last line makes no record.
std::vector<CsvRecord> SplitCsv(const std::string& text);

// Spaces, tabs and line ends removed from both ends.
std::string Trim(const std::string& text);
std::string Lower(std::string text);

// The largest table or score file read: the shipped tables are kilobytes and
// a score file of a thousand measurements about 100 KiB, so this only stops a
// wrong path (a disk image, /dev/zero) from filling memory.
constexpr std::int64_t kMaxPowerModelFileBytes = std::int64_t{64} << 20;

// The whole file; throws std::runtime_error naming it and `what` it holds.
// A FIFO, a device or a folder is refused without waiting or reading it, as
// is a file above kMaxPowerModelFileBytes.
std::string ReadWholeFile(const std::string& path, const std::string& what);
// The whole file, or "" when it cannot be opened (a kernel file this system
// does not have).
std::string ReadFileOrEmpty(const std::string& path);

}  // namespace carbonbench::power_model
