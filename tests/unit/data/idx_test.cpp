#include "data/idx.h"

#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "error_message.h"
#include "unprivileged.h"

namespace carbonbench {
namespace {

namespace fs = std::filesystem;
using Bytes = std::vector<std::uint8_t>;

// Builds an IDX file image: magic, big-endian dims, then `data`.
Bytes MakeIdx(const std::vector<std::uint32_t>& dims, const Bytes& data, std::uint8_t type = 0x08) {
  Bytes out = {0, 0, type, static_cast<std::uint8_t>(dims.size())};
  for (std::uint32_t dim : dims) {
    for (int shift = 24; shift >= 0; shift -= 8) out.push_back((dim >> shift) & 0xFF);
  }
  out.insert(out.end(), data.begin(), data.end());
  return out;
}

Bytes Iota(std::size_t size, int modulo = 256) {
  Bytes out(size);
  for (std::size_t i = 0; i < size; ++i) out[i] = static_cast<std::uint8_t>(i % modulo);
  return out;
}

using test_support::ExpectErrorContaining;

class IdxTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::temp_directory_path() /
           (std::string("carbonbench_idx_") + info->name() + "_" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string WritePlain(const std::string& name, const Bytes& bytes) {
    const std::string path = (dir_ / name).string();
    std::ofstream out(path, std::ios::binary);
    out.write(reinterpret_cast<const char*>(bytes.data()),
              static_cast<std::streamsize>(bytes.size()));
    return path;
  }

  std::string WriteGzip(const std::string& name, const Bytes& bytes) {
    const std::string path = (dir_ / name).string();
    gzFile file = gzopen(path.c_str(), "wb");
    EXPECT_NE(file, nullptr);
    EXPECT_EQ(gzwrite(file, bytes.data(), static_cast<unsigned>(bytes.size())),
              static_cast<int>(bytes.size()));
    gzclose(file);
    return path;
  }

  // A consistent split: `count` 2x3 images and labels cycling through 0..9.
  void WriteSplit(const std::string& prefix, std::uint32_t count, bool gzip) {
    const Bytes images = MakeIdx({count, 2, 3}, Iota(count * 6));
    const Bytes labels = MakeIdx({count}, Iota(count, 10));
    if (gzip) {
      WriteGzip(prefix + "-images-idx3-ubyte.gz", images);
      WriteGzip(prefix + "-labels-idx1-ubyte.gz", labels);
    } else {
      WritePlain(prefix + "-images-idx3-ubyte", images);
      WritePlain(prefix + "-labels-idx1-ubyte", labels);
    }
  }

  fs::path dir_;
};

TEST_F(IdxTest, ReadsPlainFile) {
  const std::string path = WritePlain("a.idx", MakeIdx({4, 2, 3}, Iota(24)));
  const IdxArray array = ReadIdxFile(path);
  EXPECT_EQ(array.dims, (std::vector<std::int64_t>{4, 2, 3}));
  EXPECT_EQ(array.data, Iota(24));
}

TEST_F(IdxTest, ReadsGzipFile) {
  const std::string path = WriteGzip("a.idx.gz", MakeIdx({5}, {9, 8, 7, 6, 5}));
  const IdxArray array = ReadIdxFile(path);
  EXPECT_EQ(array.dims, (std::vector<std::int64_t>{5}));
  EXPECT_EQ(array.data, (Bytes{9, 8, 7, 6, 5}));
}

TEST_F(IdxTest, ReadsFourDimensionsAndLargerThanOneReadSlice) {
  // 2 MiB + 1 byte crosses the reader's 1 MiB slices.
  const std::vector<std::uint32_t> dims = {2, 1024, 1024, 1};
  const Bytes data = Iota(2u * 1024 * 1024, 251);
  const IdxArray array = ReadIdxFile(WriteGzip("big.gz", MakeIdx(dims, data)));
  EXPECT_EQ(array.dims.size(), 4u);
  EXPECT_EQ(array.data, data);
}

TEST_F(IdxTest, RejectsBadMagic) {
  Bytes bytes = MakeIdx({3}, {1, 2, 3});
  bytes[0] = 0x12;
  const std::string path = WritePlain("bad_magic", bytes);
  ExpectErrorContaining([&] { ReadIdxFile(path); },
                        {path, "bad magic number 0x12000801", "expected 0x0000080N"});
}

TEST_F(IdxTest, RejectsTooManyDimensions) {
  const std::string path = WritePlain("five_dims", MakeIdx({1, 1, 1, 1, 1}, {0}));
  ExpectErrorContaining([&] { ReadIdxFile(path); }, {path, "bad magic number 0x00000805"});
}

TEST_F(IdxTest, RejectsNonUnsignedByteType) {
  const std::string path = WritePlain("floats", MakeIdx({1}, {0, 0, 0, 0}, 0x0D));
  ExpectErrorContaining([&] { ReadIdxFile(path); },
                        {path, "element type 0x0D (32-bit float)", "expected 0x08"});
}

TEST_F(IdxTest, RejectsZeroDimension) {
  const std::string path = WritePlain("zero_dim", MakeIdx({3, 0}, {}));
  ExpectErrorContaining([&] { ReadIdxFile(path); }, {path, "dimension 1 is 0"});
}

TEST_F(IdxTest, RejectsTruncatedHeader) {
  Bytes bytes = MakeIdx({3, 2}, {});
  bytes.resize(9);
  const std::string path = WritePlain("short_header", bytes);
  ExpectErrorContaining([&] { ReadIdxFile(path); }, {path, "header truncated"});
}

TEST_F(IdxTest, RejectsTruncatedData) {
  Bytes bytes = MakeIdx({4, 2, 3}, Iota(24));
  bytes.resize(bytes.size() - 4);
  const std::string path = WritePlain("truncated", bytes);
  ExpectErrorContaining([&] { ReadIdxFile(path); },
                        {path, "truncated", "4 x 2 x 3 = 24 bytes", "got 20 bytes"});
}

TEST_F(IdxTest, RejectsTruncatedGzipStream) {
  const std::string path = WriteGzip("cut.gz", MakeIdx({4096}, Iota(4096)));
  fs::resize_file(path, fs::file_size(path) / 2);
  ExpectErrorContaining([&] { ReadIdxFile(path); }, {path, "truncated"});
}

TEST_F(IdxTest, RejectsTrailingBytes) {
  Bytes bytes = MakeIdx({3}, {1, 2, 3});
  bytes.push_back(4);
  bytes.push_back(5);
  const std::string path = WritePlain("trailing", bytes);
  ExpectErrorContaining([&] { ReadIdxFile(path); }, {path, "2 trailing bytes after the 3 bytes"});
}

TEST_F(IdxTest, MissingFileNamesIt) {
  const std::string path = (dir_ / "nope").string();
  ExpectErrorContaining([&] { ReadIdxFile(path); }, {"cannot open IDX file", path});
}

TEST_F(IdxTest, ReadsPlainSplit) {
  WriteSplit("train", 12, /*gzip=*/false);
  const IdxSplit split = ReadIdxSplit(dir_.string(), /*train=*/true, 10);
  EXPECT_EQ(split.images.dims, (std::vector<std::int64_t>{12, 2, 3}));
  ASSERT_EQ(split.labels.size(), 12u);
  EXPECT_EQ(split.labels[11], 1);
}

TEST_F(IdxTest, ReadsGzipTestSplit) {
  WriteSplit("t10k", 7, /*gzip=*/true);
  const IdxSplit split = ReadIdxSplit(dir_.string(), /*train=*/false, 10);
  EXPECT_EQ(split.images.dims[0], 7);
  EXPECT_EQ(split.labels, Iota(7, 10));
}

TEST_F(IdxTest, SplitRejectsCountMismatch) {
  WritePlain("train-images-idx3-ubyte", MakeIdx({3, 2, 2}, Iota(12)));
  WritePlain("train-labels-idx1-ubyte", MakeIdx({2}, {0, 1}));
  ExpectErrorContaining([&] { ReadIdxSplit(dir_.string(), true, 10); },
                        {"holds 3 images", "holds 2 labels", "train-labels-idx1-ubyte"});
}

TEST_F(IdxTest, SplitRejectsLabelOutOfRange) {
  WritePlain("train-images-idx3-ubyte", MakeIdx({3, 2, 2}, Iota(12)));
  WritePlain("train-labels-idx1-ubyte", MakeIdx({3}, {0, 10, 1}));
  ExpectErrorContaining([&] { ReadIdxSplit(dir_.string(), true, 10); },
                        {"label 10 at index 1", "expected 0..9 for 10 classes"});
}

TEST_F(IdxTest, SplitRejectsWrongRank) {
  WritePlain("train-images-idx3-ubyte", MakeIdx({3, 4}, Iota(12)));
  WritePlain("train-labels-idx1-ubyte", MakeIdx({3}, {0, 1, 2}));
  ExpectErrorContaining([&] { ReadIdxSplit(dir_.string(), true, 10); },
                        {"images must be 3-D", "got 2-D 3 x 4"});
}

TEST_F(IdxTest, SplitMissingFilesSaysWhereToGetThem) {
  WriteSplit("train", 2, /*gzip=*/false);  // the test split is what is missing
  ExpectErrorContaining([&] { ReadIdxSplit(dir_.string(), /*train=*/false, 10); },
                        {dir_.string(), "t10k-images-idx3-ubyte", "t10k-images-idx3-ubyte.gz",
                         "apt-get install dataset-fashion-mnist",
                         "/usr/share/datasets/fashion-mnist", "dataset.path"});
}

TEST_F(IdxTest, SplitMissingFolderSaysSo) {
  const std::string missing = (dir_ / "absent").string();
  ExpectErrorContaining([&] { ReadIdxSplit(missing, true, 10); },
                        {missing, "does not exist", "train-images-idx3-ubyte"});
}

TEST_F(IdxTest, GzipBombStopsAfterTheDeclaredData) {
  // 3 declared bytes followed by 64 MiB of zeros that compress to ~64 KiB.
  Bytes bytes = MakeIdx({3}, {1, 2, 3});
  bytes.resize(bytes.size() + (64u << 20), 0);
  const std::string path = WriteGzip("bomb.gz", bytes);
  ExpectErrorContaining([&] { ReadIdxFile(path); },
                        {path, "more than 1 MiB of trailing bytes after the 3 bytes"});
}

TEST_F(IdxTest, HeaderDeclaringMoreThanTheLimitIsRefusedBeforeReading) {
  const std::string path = WritePlain("huge_header", MakeIdx({65536, 65536, 1}, {0}));
  ExpectErrorContaining([&] { ReadIdxFile(path); },
                        {path, "65536 x 65536 x 1 = 4294967296 bytes", "the limit is 2 GiB"});
}

TEST_F(IdxTest, RefusesADeviceInsteadOfReadingIt) {
  const std::string link = (dir_ / "train-images-idx3-ubyte").string();
  fs::create_symlink("/dev/zero", link);
  WritePlain("train-labels-idx1-ubyte", MakeIdx({2}, {0, 1}));
  ExpectErrorContaining([&] { ReadIdxFile(link); },
                        {link, "is a character device, not a regular file"});
  ExpectErrorContaining([&] { ReadIdxSplit(dir_.string(), true, 10); },
                        {link, "is a character device, not a regular file"});
}

TEST_F(IdxTest, SplitFileThatIsAFifoSaysSo) {
  const std::string fifo = (dir_ / "train-images-idx3-ubyte.gz").string();
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  WritePlain("train-labels-idx1-ubyte", MakeIdx({2}, {0, 1}));
  ExpectErrorContaining([&] { ReadIdxSplit(dir_.string(), true, 10); },
                        {fifo, "is a FIFO, not a regular file"});
}

TEST_F(IdxTest, DeviceAsTheFolderSaysWhatItIs) {
  ExpectErrorContaining([] { ReadIdxSplit("/dev/zero", true, 10); },
                        {"dataset folder /dev/zero", "is a character device, not a folder"});
}

TEST_F(IdxTest, UnreadableFolderSaysPermissionDenied) {
  WriteSplit("train", 2, /*gzip=*/false);
  const fs::path locked = dir_ / "locked";
  fs::create_directories(locked);
  fs::copy(dir_ / "train-images-idx3-ubyte", locked);
  fs::copy(dir_ / "train-labels-idx1-ubyte", locked);
  fs::permissions(locked, fs::perms::none);
  const std::string message = test_support::AsUnprivilegedUser([&] {
    ReadIdxSplit(locked.string(), true, 10);
    return std::string("read");
  });
  fs::permissions(locked, fs::perms::owner_all);
  EXPECT_NE(message.find(locked.string()), std::string::npos) << message;
  EXPECT_NE(message.find("Permission denied"), std::string::npos) << message;
  EXPECT_EQ(message.find("has no training"), std::string::npos) << message;
}

TEST(IdxRealDataTest, ReadsFashionMnistTestSplit) {
  const std::string dir = "/usr/share/datasets/fashion-mnist";
  if (!fs::is_directory(dir)) GTEST_SKIP() << dir << " not installed";
  const IdxSplit split = ReadIdxSplit(dir, /*train=*/false, 10);
  EXPECT_EQ(split.images.dims, (std::vector<std::int64_t>{10000, 28, 28}));
  EXPECT_EQ(split.images.data.size(), 10000u * 28 * 28);
  EXPECT_EQ(split.labels.size(), 10000u);
}

}  // namespace
}  // namespace carbonbench
