// IDX files (the MNIST family's format), plain or gzip-compressed.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace carbonbench {

struct IdxArray {
  std::vector<std::int64_t> dims;  // e.g. {60000, 28, 28}
  std::vector<std::uint8_t> data;  // row-major, dims' product bytes
};

// Reads an unsigned-byte IDX file (magic 0x00000801 .. 0x00000804), gzip or
// not. Throws std::runtime_error naming the file and what is wrong (bad
// magic, unsupported element type, truncated data, trailing bytes).
IdxArray ReadIdxFile(const std::string& path);

// A classification split read from IDX images + labels, validated together
// (same count, labels < num_classes).
struct IdxSplit {
  IdxArray images;  // {n, rows, cols}
  std::vector<std::uint8_t> labels;
};

// Finds and reads the four standard files (train-images-idx3-ubyte[.gz], ...)
// under `dir`. Throws naming the dir and the missing file.
IdxSplit ReadIdxSplit(const std::string& dir, bool train, int num_classes);

}  // namespace carbonbench
