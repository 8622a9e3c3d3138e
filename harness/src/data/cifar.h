// CIFAR-10 and CIFAR-100 in their official binary format
// (https://www.cs.toronto.edu/~kriz/cifar.html, the "binary version" tarballs).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace carbonbench {

// Images of one split, uint8 pixels laid out count x channels x height x width
// (channel-major per image, as the CIFAR files store them).
struct ImageSplit {
  std::int64_t count = 0;
  std::int64_t channels = 0;
  std::int64_t height = 0;
  std::int64_t width = 0;
  std::vector<std::uint8_t> pixels;
  std::vector<std::int64_t> labels;  // one per image, 0..classes-1
};

enum class CifarVariant { kCifar10, kCifar100 };

struct CifarDataset {
  ImageSplit train;
  ImageSplit test;
  std::vector<std::string> class_names;  // CIFAR-100: the 100 fine labels
  std::string dir;                       // the folder the files were read from
};

// Reads the training and test split. `path` is the extracted tarball folder
// (cifar-10-batches-bin / cifar-100-binary) or its parent. CIFAR-10 class
// names come from batches.meta.txt, CIFAR-100's from fine_label_names.txt;
// the standard names are used when the file is absent. Throws
// std::runtime_error naming the folder and missing files (with the download
// URL), a truncated file, or a label out of range (file and record index).
CifarDataset ReadCifar(const std::string& path, CifarVariant variant);

// Reads one .bin file of records (CIFAR-10: 1 label byte + 3072 pixel bytes;
// CIFAR-100: coarse + fine label bytes + 3072; the fine label is kept).
ImageSplit ReadCifarBatchFile(const std::string& path, CifarVariant variant);

// The folder holding the .bin files: `path` itself, or its standard
// subfolder when `path` is the parent. Does not check the files.
std::string ResolveCifarDir(const std::string& path, CifarVariant variant);

// The standard class names (CIFAR-100: fine labels in label order).
const std::vector<std::string>& StandardCifarClassNames(CifarVariant variant);

}  // namespace carbonbench
