// The most bytes each dataset reader takes in, well above the largest public
// dataset of each format, so that a wrong path (a disk image, /dev/zero behind
// a symlink, a gzip bomb) is refused by name instead of filling memory.
#pragma once

#include <cstdint>

namespace carbonbench::detail {

// IDX data as its header declares it, after decompression. The MNIST family's
// largest file is 47 MB; EMNIST's 550 MB.
inline constexpr std::int64_t kMaxIdxDataBytes = std::int64_t{2} << 30;
// One CIFAR .bin file; CIFAR-100's train.bin, the largest, is 154 MB.
inline constexpr std::int64_t kMaxCifarBatchBytes = std::int64_t{256} << 20;
// A class-name list (batches.meta.txt, fine_label_names.txt).
inline constexpr std::int64_t kMaxClassNameFileBytes = std::int64_t{1} << 20;
// One example of a text-folder dataset, an IMDb review, or a fortune file.
inline constexpr std::int64_t kMaxTextFileBytes = std::int64_t{16} << 20;
// A text CSV dataset (text and label columns) is held whole while parsed.
inline constexpr std::int64_t kMaxTextCsvBytes = std::int64_t{512} << 20;
// A time-series CSV: 256 MiB is some ten million rows.
inline constexpr std::int64_t kMaxTimeSeriesCsvBytes = std::int64_t{256} << 20;

}  // namespace carbonbench::detail
