// The torch-free half of reading a safetensors file: its 8-byte header
// length and JSON header, checked against the file's size (dtypes known,
// shapes matching byte ranges, tensors tiling the data buffer). The tensors
// themselves are read by SafetensorsFile (safetensors.h).
#pragma once

#include <cstddef>
#include <cstdint>
#include <istream>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace carbonbench {

// Thrown for anything wrong with a file; the message names the file and,
// where one is at fault, the tensor.
class SafetensorsError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct SafetensorsTensorLayout {
  std::string name;
  std::string dtype;  // as written in the file: "F32", "F16", "BF16", ...
  std::vector<std::int64_t> shape;
  // Byte range [begin, end) relative to the start of the data buffer.
  std::uint64_t begin_byte = 0;
  std::uint64_t end_byte = 0;
};

struct SafetensorsLayout {
  std::uint64_t data_start_byte = 0;             // 8 + header length
  std::vector<SafetensorsTensorLayout> entries;  // in the order the header lists them
  std::map<std::string, std::string> metadata;   // the optional "__metadata__" object
};

// Reads and validates the header of the file `in` (positioned at its start,
// `file_bytes` long); `path` names it in messages. Throws SafetensorsError.
SafetensorsLayout ReadSafetensorsLayout(const std::string& path, std::istream& in,
                                        std::uint64_t file_bytes);

// Bytes per element of a dtype the reader knows ("F32": 4); throws
// SafetensorsError naming the supported ones for another.
std::size_t SafetensorsDtypeBytes(const std::string& dtype);

}  // namespace carbonbench
