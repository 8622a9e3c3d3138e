#include "data/idx.h"

#include <zlib.h>

#include <algorithm>
#include <filesystem>
#include <limits>
#include <stdexcept>

#include <fmt/format.h>

#include "data/input_limits.h"
#include "util/regular_file.h"
#include "util/strings.h"

namespace carbonbench {
namespace {

constexpr std::uint8_t kUnsignedByteType = 0x08;
constexpr int kMaxDims = 4;
// Data is read in slices so a corrupt header that claims gigabytes fails on
// the truncation check instead of on a huge up-front allocation.
constexpr std::size_t kReadSlice = 1 << 20;

const char* IdxTypeName(std::uint8_t type) {
  switch (type) {
    case 0x08:
      return "unsigned byte";
    case 0x09:
      return "signed byte";
    case 0x0B:
      return "16-bit int";
    case 0x0C:
      return "32-bit int";
    case 0x0D:
      return "32-bit float";
    case 0x0E:
      return "64-bit float";
  }
  return "unknown";
}

std::string Hex(std::uint32_t value, int digits) {
  static const char* kDigits = "0123456789ABCDEF";
  std::string out(digits, '0');
  for (int i = digits - 1; i >= 0; --i, value >>= 4) out[i] = kDigits[value & 0xF];
  return "0x" + out;
}

std::string DimsText(const std::vector<std::int64_t>& dims) {
  std::vector<std::string> parts;
  for (std::int64_t dim : dims) parts.push_back(std::to_string(dim));
  return JoinStrings(parts, " x ");
}

// Owns a zlib file handle; gzread passes plain (uncompressed) files through
// unchanged, so one code path serves both.
class GzFile {
 public:
  explicit GzFile(const std::string& path) : path_(path) {
    RegularFile opened = OpenRegularFile(path, "IDX file");
    file_ = gzdopen(opened.fd(), "rb");
    if (file_ == nullptr) {
      throw std::runtime_error(fmt::format("cannot open IDX file {}: out of memory", path));
    }
    opened.Release();  // zlib closes it now
  }
  ~GzFile() { gzclose(file_); }
  GzFile(const GzFile&) = delete;
  GzFile& operator=(const GzFile&) = delete;

  // Reads up to `size` bytes; returns how many arrived (short only at EOF).
  std::size_t Read(void* buffer, std::size_t size) {
    std::size_t total = 0;
    auto* out = static_cast<unsigned char*>(buffer);
    while (total < size) {
      const unsigned chunk = static_cast<unsigned>(
          std::min<std::size_t>(size - total, std::numeric_limits<int>::max()));
      const int got = gzread(file_, out + total, chunk);
      if (got < 0) ThrowZlibError();
      if (got == 0) break;
      total += static_cast<std::size_t>(got);
    }
    // A gzip stream cut short reads as EOF plus a pending error.
    int code = Z_OK;
    gzerror(file_, &code);
    if (code != Z_OK) ThrowZlibError();
    return total;
  }

 private:
  [[noreturn]] void ThrowZlibError() {
    int code = Z_OK;
    std::string message = gzerror(file_, &code);
    // zlib prefixes its messages with the path, which ours already names.
    const std::string prefix = path_ + ": ";
    if (message.compare(0, prefix.size(), prefix) == 0) message.erase(0, prefix.size());
    throw std::runtime_error(fmt::format(
        "IDX file {}: cannot decompress ({}); the .gz file is probably truncated or corrupt", path_,
        message));
  }

  std::string path_;
  gzFile file_ = nullptr;
};

std::uint32_t BigEndian32(const unsigned char* bytes) {
  return (std::uint32_t{bytes[0]} << 24) | (std::uint32_t{bytes[1]} << 16) |
         (std::uint32_t{bytes[2]} << 8) | std::uint32_t{bytes[3]};
}

// Reads and checks the magic number; returns the number of dimensions.
int ReadMagic(GzFile& file, const std::string& path) {
  unsigned char magic[4];
  const std::size_t got = file.Read(magic, sizeof magic);
  if (got < sizeof magic) {
    throw std::runtime_error(fmt::format(
        "IDX file {}: only {} bytes long; expected at least a 4-byte magic number", path, got));
  }
  const std::uint32_t value = BigEndian32(magic);
  const int dims = magic[3];
  if (magic[0] != 0 || magic[1] != 0 || dims < 1 || dims > kMaxDims) {
    throw std::runtime_error(
        fmt::format("IDX file {}: bad magic number {}; expected 0x0000080N with N = 1..4 "
                    "dimensions (is this an IDX file?)",
                    path, Hex(value, 8)));
  }
  if (magic[2] != kUnsignedByteType) {
    throw std::runtime_error(fmt::format(
        "IDX file {}: element type {} ({}) is not supported; expected 0x08 (unsigned byte)", path,
        Hex(magic[2], 2), IdxTypeName(magic[2])));
  }
  return dims;
}

std::vector<std::int64_t> ReadDims(GzFile& file, const std::string& path, int count) {
  std::vector<unsigned char> raw(4 * static_cast<std::size_t>(count));
  const std::size_t got = file.Read(raw.data(), raw.size());
  if (got < raw.size()) {
    throw std::runtime_error(fmt::format(
        "IDX file {}: header truncated; expected {} 4-byte dimension sizes, got {} bytes", path,
        count, got));
  }
  std::vector<std::int64_t> dims;
  for (int i = 0; i < count; ++i) {
    const std::uint32_t dim = BigEndian32(&raw[4 * static_cast<std::size_t>(i)]);
    if (dim == 0) {
      throw std::runtime_error(fmt::format(
          "IDX file {}: dimension {} is 0; every dimension must be at least 1", path, i));
    }
    dims.push_back(dim);
  }
  return dims;
}

std::size_t CheckedProduct(const std::vector<std::int64_t>& dims, const std::string& path) {
  std::size_t product = 1;
  for (std::int64_t dim : dims) {
    const auto size = static_cast<std::size_t>(dim);
    if (product > std::numeric_limits<std::size_t>::max() / size ||
        product * size > static_cast<std::size_t>(std::numeric_limits<std::int64_t>::max())) {
      throw std::runtime_error(
          fmt::format("IDX file {}: dimensions {} multiply to more bytes than can be addressed",
                      path, DimsText(dims)));
    }
    product *= size;
  }
  return product;
}

std::vector<std::uint8_t> ReadData(GzFile& file, const std::string& path,
                                   const std::vector<std::int64_t>& dims) {
  const std::size_t expected = CheckedProduct(dims, path);
  // Bounds what a gzip bomb can make us decompress: no more than the header
  // declares, and the header no more than any real dataset needs.
  if (expected > static_cast<std::size_t>(detail::kMaxIdxDataBytes)) {
    throw std::runtime_error(fmt::format(
        "IDX file {}: the header declares {} = {} bytes of data; the limit is {} (a corrupt "
        "header, or not an IDX file?)",
        path, DimsText(dims), expected, ByteCountText(detail::kMaxIdxDataBytes)));
  }
  std::vector<std::uint8_t> data;
  while (data.size() < expected) {
    const std::size_t before = data.size();
    const std::size_t want = std::min(kReadSlice, expected - before);
    data.resize(before + want);
    const std::size_t got = file.Read(data.data() + before, want);
    data.resize(before + got);
    if (got < want) {
      throw std::runtime_error(fmt::format(
          "IDX file {}: truncated; the header declares {} = {} bytes of data, got {} bytes", path,
          DimsText(dims), expected, data.size()));
    }
  }
  return data;
}

// Reads at most one slice past the data: the rest of a gzip bomb is never
// decompressed.
void CheckNoTrailingBytes(GzFile& file, const std::string& path, std::size_t data_size) {
  std::vector<unsigned char> rest(kReadSlice + 1);
  const std::size_t trailing = file.Read(rest.data(), rest.size());
  if (trailing > 0) {
    const std::string count = trailing > kReadSlice
                                  ? "more than " + ByteCountText(kReadSlice) + " of"
                                  : std::to_string(trailing);
    throw std::runtime_error(fmt::format(
        "IDX file {}: {} trailing bytes after the {} bytes of data the header declares; expected "
        "the file to end there (corrupt file, or two files concatenated?)",
        path, count, data_size));
  }
}

// The standard file names for one part ("images", "labels") of one split.
std::vector<std::string> CandidateNames(bool train, const std::string& part) {
  const std::string prefix = train ? "train" : "t10k";
  const std::string kind = part == "images" ? "idx3-ubyte" : "idx1-ubyte";
  const std::string dashed = prefix + "-" + part + "-" + kind;
  // The dotted spelling is how several mirrors (e.g. Kaggle's) ship them.
  const std::string dotted = prefix + "-" + part + "." + kind;
  return {dashed, dashed + ".gz", dotted, dotted + ".gz"};
}

std::string FindSplitFile(const std::string& dir, bool train, const std::string& part) {
  namespace fs = std::filesystem;
  const std::vector<std::string> names = CandidateNames(train, part);
  const std::string problem = FolderProblem(dir);
  const bool missing = problem == "does not exist";
  if (!problem.empty() && !missing) {
    throw std::runtime_error(
        fmt::format("dataset folder {} {}; dataset.path should name a folder holding the IDX files "
                    "(e.g. {})",
                    dir, problem, names.front()));
  }
  std::error_code error;
  for (const std::string& name : names) {
    // Anything there is taken; reading it refuses a FIFO or a device by name.
    const fs::path path = fs::path(dir) / name;
    if (!missing && fs::exists(path, error)) return path.string();
  }
  const std::string where = missing ? "dataset folder " + dir + " does not exist"
                                    : "dataset folder " + dir + " has no " +
                                          (train ? "training " : "test ") + part + " file";
  throw std::runtime_error(
      fmt::format("{} (tried {}). Fashion-MNIST: apt-get install dataset-fashion-mnist (installs "
                  "/usr/share/datasets/fashion-mnist); MNIST: download the four IDX files from the "
                  "MNIST site into a folder and pass it as dataset.path",
                  where, JoinStrings(names, ", ")));
}

void CheckShapes(const IdxArray& images, const IdxArray& labels, const std::string& images_path,
                 const std::string& labels_path) {
  if (images.dims.size() != 3) {
    throw std::runtime_error(
        fmt::format("IDX file {}: images must be 3-D (count x rows x cols), got {}-D {}",
                    images_path, images.dims.size(), DimsText(images.dims)));
  }
  if (labels.dims.size() != 1) {
    throw std::runtime_error(fmt::format("IDX file {}: labels must be 1-D, got {}-D {}",
                                         labels_path, labels.dims.size(), DimsText(labels.dims)));
  }
  if (labels.dims[0] != images.dims[0]) {
    throw std::runtime_error(
        fmt::format("IDX files disagree: {} holds {} images but {} holds {} labels; expected one "
                    "label per image",
                    images_path, images.dims[0], labels_path, labels.dims[0]));
  }
}

void CheckLabelRange(const std::vector<std::uint8_t>& labels, const std::string& labels_path,
                     int num_classes) {
  for (std::size_t i = 0; i < labels.size(); ++i) {
    if (labels[i] >= num_classes) {
      throw std::runtime_error(fmt::format(
          "IDX file {}: label {} at index {} is out of range; expected 0..{} for {} classes",
          labels_path, labels[i], i, num_classes - 1, num_classes));
    }
  }
}

}  // namespace

IdxArray ReadIdxFile(const std::string& path) {
  GzFile file(path);
  IdxArray array;
  const int dim_count = ReadMagic(file, path);
  array.dims = ReadDims(file, path, dim_count);
  array.data = ReadData(file, path, array.dims);
  CheckNoTrailingBytes(file, path, array.data.size());
  return array;
}

IdxSplit ReadIdxSplit(const std::string& dir, bool train, int num_classes) {
  if (num_classes < 1) {
    throw std::invalid_argument(
        fmt::format("ReadIdxSplit: num_classes must be at least 1, got {}", num_classes));
  }
  const std::string images_path = FindSplitFile(dir, train, "images");
  const std::string labels_path = FindSplitFile(dir, train, "labels");
  IdxSplit split;
  split.images = ReadIdxFile(images_path);
  IdxArray labels = ReadIdxFile(labels_path);
  CheckShapes(split.images, labels, images_path, labels_path);
  CheckLabelRange(labels.data, labels_path, num_classes);
  split.labels = std::move(labels.data);
  return split;
}

}  // namespace carbonbench
