// Reading and writing the safetensors format (Hugging Face's weight files):
// an 8-byte little-endian header length N, N bytes of JSON describing each
// tensor (dtype, shape, byte offsets into the data buffer), then the buffer.
//
// Open() reads and validates only the header; Load() reads one tensor, so a
// plugin can pick the tensors it needs from a large checkpoint.
#pragma once

#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <torch/types.h>

#include "carbonbench/safetensors_layout.h"

namespace carbonbench {

struct SafetensorsEntry {
  std::string name;
  std::string dtype;  // as written in the file: "F32", "F16", "BF16", ...
  torch::ScalarType scalar_type = torch::kFloat;
  std::vector<std::int64_t> shape;
  // Byte range [begin, end) relative to the start of the data buffer.
  std::uint64_t begin_byte = 0;
  std::uint64_t end_byte = 0;
};

class SafetensorsFile {
 public:
  // Reads and validates the header; throws SafetensorsError.
  static SafetensorsFile Open(const std::string& path);

  const std::string& path() const { return path_; }
  // In the order the header lists them.
  const std::vector<SafetensorsEntry>& entries() const { return entries_; }
  // The optional "__metadata__" object (string to string).
  const std::map<std::string, std::string>& metadata() const { return metadata_; }

  bool Contains(const std::string& name) const { return index_.count(name) > 0; }
  // nullptr when there is no tensor of that name.
  const SafetensorsEntry* Find(const std::string& name) const;

  // Reads one tensor into a fresh contiguous CPU tensor of the stored dtype.
  // Throws SafetensorsError for an unknown name or a read failure.
  torch::Tensor Load(const std::string& name) const;

 private:
  SafetensorsFile() = default;

  std::string path_;
  std::uint64_t data_start_byte_ = 0;  // 8 + header length
  std::vector<SafetensorsEntry> entries_;
  std::map<std::string, std::size_t> index_;
  std::map<std::string, std::string> metadata_;
};

// Writes `tensors` (any device; copied to CPU and made contiguous) in the
// given order. Supported dtypes: float64/32/16, bfloat16, int64/32/16/8,
// uint8, bool. Throws SafetensorsError for a duplicate or reserved name, an
// unsupported dtype, or an I/O failure.
void WriteSafetensors(const std::string& path,
                      const std::vector<std::pair<std::string, torch::Tensor>>& tensors,
                      const std::map<std::string, std::string>& metadata = {});

// The file's name for a torch dtype ("F32") and back; throw SafetensorsError
// for a dtype the format (or this reader) does not have.
std::string SafetensorsDtypeName(torch::ScalarType type);
torch::ScalarType SafetensorsScalarType(const std::string& dtype);

}  // namespace carbonbench
