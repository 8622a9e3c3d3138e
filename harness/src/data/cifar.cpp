#include "data/cifar.h"

#include <algorithm>
#include <filesystem>
#include <sstream>
#include <stdexcept>

#include <fmt/format.h>

#include "data/file_io.h"
#include "data/input_limits.h"
#include "util/regular_file.h"
#include "util/strings.h"

namespace carbonbench {
namespace {

namespace fs = std::filesystem;

constexpr std::int64_t kChannels = 3;
constexpr std::int64_t kSide = 32;
constexpr std::int64_t kImageBytes = kChannels * kSide * kSide;  // 3072

// What differs between the two variants, in one place.
struct VariantInfo {
  const char* display_name;
  const char* folder;  // the tarball's top-level folder
  const char* tarball_url;
  std::int64_t label_bytes;  // per record, before the pixels
  std::int64_t num_classes;  // of the label that is kept
  std::int64_t num_coarse;   // CIFAR-100's first label byte; 0 if none
  std::vector<std::string> train_files;
  std::vector<std::string> test_files;
  const char* names_file;
};

const VariantInfo& Info(CifarVariant variant) {
  static const VariantInfo kCifar10 = {"CIFAR-10",
                                       "cifar-10-batches-bin",
                                       "https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz",
                                       1,
                                       10,
                                       0,
                                       {"data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin",
                                        "data_batch_4.bin", "data_batch_5.bin"},
                                       {"test_batch.bin"},
                                       "batches.meta.txt"};
  static const VariantInfo kCifar100 = {"CIFAR-100",
                                        "cifar-100-binary",
                                        "https://www.cs.toronto.edu/~kriz/cifar-100-binary.tar.gz",
                                        2,
                                        100,
                                        20,
                                        {"train.bin"},
                                        {"test.bin"},
                                        "fine_label_names.txt"};
  return variant == CifarVariant::kCifar10 ? kCifar10 : kCifar100;
}

std::string HowToGet(const VariantInfo& info) {
  return std::string("download ") + info.tarball_url + " and extract it (tar xzf " +
         fs::path(info.tarball_url).filename().string() + ") into a folder, which creates " +
         info.folder + "/; pass that folder or its parent as dataset.path";
}

std::string RecordLayout(const VariantInfo& info) {
  return info.label_bytes == 1
             ? "records of 1 label byte + 3072 pixel bytes (3x32x32)"
             : "records of 2 label bytes (coarse, fine) + 3072 pixel bytes (3x32x32)";
}

ImageSplit EmptySplit() {
  ImageSplit split;
  split.channels = kChannels;
  split.height = kSide;
  split.width = kSide;
  return split;
}

void CheckLabel(const VariantInfo& info, const std::string& path, std::int64_t record,
                const char* which, int label, std::int64_t classes) {
  if (label < classes) return;
  throw std::runtime_error(
      fmt::format("{} file {}: record {} has {} label {}, out of range; expected 0..{} in {} (a "
                  "file of the other CIFAR variant, or a corrupt file? {})",
                  info.display_name, path, record, which, label, classes - 1, RecordLayout(info),
                  HowToGet(info)));
}

void Append(ImageSplit& to, ImageSplit&& from) {
  to.count += from.count;
  to.pixels.insert(to.pixels.end(), from.pixels.begin(), from.pixels.end());
  to.labels.insert(to.labels.end(), from.labels.begin(), from.labels.end());
}

// Non-empty trimmed lines; the official files end with blank lines.
std::vector<std::string> ReadNames(const std::string& path) {
  std::istringstream lines(detail::ToValidUtf8(
      detail::ReadWholeFile(path, "class-name file", detail::kMaxClassNameFileBytes)));
  std::vector<std::string> names;
  for (std::string line; std::getline(lines, line);) {
    line = detail::TrimAscii(line);
    if (!line.empty()) names.push_back(line);
  }
  return names;
}

std::vector<std::string> ClassNames(const std::string& dir, const VariantInfo& info,
                                    CifarVariant variant) {
  const fs::path path = fs::path(dir) / info.names_file;
  std::error_code error;
  if (!fs::exists(path, error)) return StandardCifarClassNames(variant);
  std::vector<std::string> names = ReadNames(path.string());
  if (static_cast<std::int64_t>(names.size()) != info.num_classes) {
    throw std::runtime_error(fmt::format(
        "{} class-name file {}: has {} names; expected {}, one per line (delete the file to use "
        "the standard names, or {})",
        info.display_name, path.string(), names.size(), info.num_classes, HowToGet(info)));
  }
  return names;
}

// Fails listing every missing file at once, so one message fixes them all.
void CheckFilesPresent(const std::string& path, const std::string& dir, const VariantInfo& info,
                       CifarVariant variant) {
  const std::string problem = FolderProblem(path);
  if (!problem.empty()) {
    throw std::runtime_error(
        fmt::format("{} folder {} {}; {}", info.display_name, path, problem, HowToGet(info)));
  }
  if (dir != path) {
    const std::string nested_problem = FolderProblem(dir);
    if (!nested_problem.empty()) {
      throw std::runtime_error(fmt::format("{} folder {} {}; {}", info.display_name, dir,
                                           nested_problem, HowToGet(info)));
    }
  }
  std::error_code error;
  std::vector<std::string> missing;
  for (const auto* files : {&info.train_files, &info.test_files}) {
    for (const std::string& name : *files) {
      // Anything there counts as present; reading it refuses a FIFO or a
      // device by name, which "missing" would not explain.
      if (!fs::exists(fs::path(dir) / name, error)) missing.push_back(name);
    }
  }
  if (missing.empty()) return;
  // A common slip: pointing a CIFAR-10 suite at the CIFAR-100 folder or back.
  const CifarVariant other =
      variant == CifarVariant::kCifar10 ? CifarVariant::kCifar100 : CifarVariant::kCifar10;
  const VariantInfo& other_info = Info(other);
  std::string hint;
  if (fs::is_regular_file(fs::path(dir) / other_info.test_files.front(), error) ||
      fs::is_directory(fs::path(path) / other_info.folder, error)) {
    hint = std::string(" (this looks like ") + other_info.display_name + ")";
  }
  throw std::runtime_error(fmt::format(
      "{} folder {} is missing {}{}; expected {} and {} holding {}; {}", info.display_name, dir,
      JoinStrings(missing, ", "), hint, JoinStrings(info.train_files, ", "),
      JoinStrings(info.test_files, ", "), RecordLayout(info), HowToGet(info)));
}

}  // namespace

const std::vector<std::string>& StandardCifarClassNames(CifarVariant variant) {
  static const std::vector<std::string> kCifar10 = {
      "airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"};
  // The fine labels in label order (alphabetical), as fine_label_names.txt lists them.
  static const std::vector<std::string> kCifar100 = {
      "apple",       "aquarium_fish", "baby",      "bear",       "beaver",       "bed",
      "bee",         "beetle",        "bicycle",   "bottle",     "bowl",         "boy",
      "bridge",      "bus",           "butterfly", "camel",      "can",          "castle",
      "caterpillar", "cattle",        "chair",     "chimpanzee", "clock",        "cloud",
      "cockroach",   "couch",         "crab",      "crocodile",  "cup",          "dinosaur",
      "dolphin",     "elephant",      "flatfish",  "forest",     "fox",          "girl",
      "hamster",     "house",         "kangaroo",  "keyboard",   "lamp",         "lawn_mower",
      "leopard",     "lion",          "lizard",    "lobster",    "man",          "maple_tree",
      "motorcycle",  "mountain",      "mouse",     "mushroom",   "oak_tree",     "orange",
      "orchid",      "otter",         "palm_tree", "pear",       "pickup_truck", "pine_tree",
      "plain",       "plate",         "poppy",     "porcupine",  "possum",       "rabbit",
      "raccoon",     "ray",           "road",      "rocket",     "rose",         "sea",
      "seal",        "shark",         "shrew",     "skunk",      "skyscraper",   "snail",
      "snake",       "spider",        "squirrel",  "streetcar",  "sunflower",    "sweet_pepper",
      "table",       "tank",          "telephone", "television", "tiger",        "tractor",
      "train",       "trout",         "tulip",     "turtle",     "wardrobe",     "whale",
      "willow_tree", "wolf",          "woman",     "worm"};
  return variant == CifarVariant::kCifar10 ? kCifar10 : kCifar100;
}

std::string ResolveCifarDir(const std::string& path, CifarVariant variant) {
  const fs::path nested = fs::path(path) / Info(variant).folder;
  std::error_code error;
  return fs::is_directory(nested, error) ? nested.string() : path;
}

ImageSplit ReadCifarBatchFile(const std::string& path, CifarVariant variant) {
  const VariantInfo& info = Info(variant);
  const std::string bytes = detail::ReadWholeFile(path, std::string(info.display_name) + " file",
                                                  detail::kMaxCifarBatchBytes);
  const std::int64_t record_bytes = info.label_bytes + kImageBytes;
  const auto size = static_cast<std::int64_t>(bytes.size());
  if (size == 0) {
    throw std::runtime_error(fmt::format("{} file {}: is empty; expected {}; {}", info.display_name,
                                         path, RecordLayout(info), HowToGet(info)));
  }
  if (size % record_bytes != 0) {
    throw std::runtime_error(
        fmt::format("{} file {}: truncated; {} bytes is {} whole records plus {} bytes of the last "
                    "one (a record is {} bytes: {}); the download or extraction was cut short: {}",
                    info.display_name, path, size, size / record_bytes, size % record_bytes,
                    record_bytes, RecordLayout(info), HowToGet(info)));
  }
  ImageSplit split = EmptySplit();
  split.count = size / record_bytes;
  split.pixels.resize(static_cast<std::size_t>(split.count * kImageBytes));
  split.labels.resize(static_cast<std::size_t>(split.count));
  const auto* data = reinterpret_cast<const std::uint8_t*>(bytes.data());
  for (std::int64_t i = 0; i < split.count; ++i) {
    const std::uint8_t* record = data + i * record_bytes;
    if (info.num_coarse > 0) CheckLabel(info, path, i, "coarse", record[0], info.num_coarse);
    const int label = record[info.label_bytes - 1];
    CheckLabel(info, path, i, info.num_coarse > 0 ? "fine" : "class", label, info.num_classes);
    split.labels[static_cast<std::size_t>(i)] = label;
    std::copy(record + info.label_bytes, record + record_bytes,
              split.pixels.begin() + i * kImageBytes);
  }
  return split;
}

CifarDataset ReadCifar(const std::string& path, CifarVariant variant) {
  const VariantInfo& info = Info(variant);
  CifarDataset dataset;
  dataset.dir = ResolveCifarDir(path, variant);
  CheckFilesPresent(path, dataset.dir, info, variant);
  dataset.class_names = ClassNames(dataset.dir, info, variant);
  dataset.train = EmptySplit();
  dataset.test = EmptySplit();
  for (const std::string& name : info.train_files) {
    Append(dataset.train, ReadCifarBatchFile((fs::path(dataset.dir) / name).string(), variant));
  }
  for (const std::string& name : info.test_files) {
    Append(dataset.test, ReadCifarBatchFile((fs::path(dataset.dir) / name).string(), variant));
  }
  return dataset;
}

}  // namespace carbonbench
