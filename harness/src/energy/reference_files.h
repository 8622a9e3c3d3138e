// Reading the reference tables under harness/data: JSON and small CSV files,
// with errors that name the file and say where it should come from.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace carbonbench::detail {

std::string Upper(std::string text);
std::string Lower(std::string text);

// The largest JSON or CSV file read here. The shipped tables are at most a
// few hundred KiB and an hourly intensity CSV of one year about 300 KiB; the
// limit stops a wrong path (/dev/zero, a disk image) from filling memory.
constexpr std::int64_t kMaxReferenceFileBytes = std::int64_t{64} << 20;

// The parsed file; throws std::runtime_error naming `path` and `remedy`
// ("apt-get install iso-codes") when it cannot be read or parsed.
nlohmann::json ReadJsonFile(const std::string& path, const std::string& remedy);

// "<reference_data_dir>/codecarbon/<file>".
std::string CodecarbonPath(const std::string& reference_data_dir, const std::string& file);

// A table shipped in harness/data/codecarbon.
nlohmann::json ReadCodecarbonJson(const std::string& reference_data_dir, const std::string& file);

// A CSV file as rows of fields. Handles a UTF-8 byte-order mark (CodeCarbon's
// cloud tables start with one), CRLF line ends and double-quoted fields
// (a quote inside one is written ""); skips blank lines. `line_numbers`, when
// given, receives each row's 1-based line in the file. A FIFO, a device or a
// folder is refused without waiting on it, as is a file above
// kMaxReferenceFileBytes.
std::vector<std::vector<std::string>> ReadCsvFile(const std::string& path,
                                                  const std::string& remedy,
                                                  std::vector<int>* line_numbers = nullptr);

// One CSV line split into fields, as ReadCsvFile does.
std::vector<std::string> SplitCsvLine(const std::string& line);

}  // namespace carbonbench::detail
