#include "data/cifar.h"

#include <sys/stat.h>

#include <cstdint>
#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "unit/data/data_test_util.h"

namespace carbonbench {
namespace {

namespace fs = std::filesystem;
using testing_data::ExpectErrorContaining;

constexpr int kImageBytes = 3072;

std::uint8_t Pixel(int seed, int j) { return static_cast<std::uint8_t>((seed * 7 + j) % 256); }

// One record: label bytes then 3072 pixel bytes derived from `seed`.
std::string Record(const std::vector<int>& label_bytes, int seed) {
  std::string out;
  for (int label : label_bytes) out.push_back(static_cast<char>(label));
  for (int j = 0; j < kImageBytes; ++j) out.push_back(static_cast<char>(Pixel(seed, j)));
  return out;
}

class CifarTest : public testing_data::TempDirTest {
 protected:
  // cifar-10-batches-bin/ with 3 records per batch; record r of batch b has
  // label (b + r) % 10 and seed 10 * b + r (the test batch is b = 5).
  void WriteCifar10(const std::string& folder = "cifar-10-batches-bin") {
    for (int b = 0; b <= 5; ++b) {
      std::string bytes;
      for (int r = 0; r < 3; ++r) bytes += Record({(b + r) % 10}, 10 * b + r);
      const std::string name =
          b < 5 ? "data_batch_" + std::to_string(b + 1) + ".bin" : std::string("test_batch.bin");
      Write(folder + "/" + name, bytes);
    }
  }

  void WriteCifar100() {
    Write("cifar-100-binary/train.bin", Record({19, 99}, 1) + Record({0, 3}, 2));
    Write("cifar-100-binary/test.bin", Record({4, 42}, 3));
  }
};

TEST_F(CifarTest, ReadsCifar10FromTheParentFolder) {
  WriteCifar10();
  const CifarDataset data = ReadCifar(dir_.string(), CifarVariant::kCifar10);
  EXPECT_EQ(data.dir, Path("cifar-10-batches-bin"));
  EXPECT_EQ(data.train.count, 15);
  EXPECT_EQ(data.train.channels, 3);
  EXPECT_EQ(data.train.height, 32);
  EXPECT_EQ(data.train.width, 32);
  ASSERT_EQ(data.train.pixels.size(), 15u * kImageBytes);
  ASSERT_EQ(data.train.labels.size(), 15u);
  // Batch 2 (b = 1), record 2: label 3, seed 12; files are read in batch order.
  EXPECT_EQ(data.train.labels[5], 3);
  EXPECT_EQ(data.train.pixels[5 * kImageBytes + 0], Pixel(12, 0));
  EXPECT_EQ(data.train.pixels[5 * kImageBytes + 3071], Pixel(12, 3071));
  EXPECT_EQ(data.test.count, 3);
  EXPECT_EQ(data.test.labels, (std::vector<std::int64_t>{5, 6, 7}));
  EXPECT_EQ(data.test.pixels[2 * kImageBytes + 1024], Pixel(52, 1024));
  EXPECT_EQ(data.class_names, StandardCifarClassNames(CifarVariant::kCifar10));
  EXPECT_EQ(data.class_names.front(), "airplane");
}

TEST_F(CifarTest, ReadsCifar10FromTheFolderItselfWithMetaNames) {
  WriteCifar10("flat");
  Write("flat/batches.meta.txt", "c0\nc1\nc2\nc3\nc4\nc5\nc6\nc7\nc8\nc9\n\n\n");
  const CifarDataset data = ReadCifar(Path("flat"), CifarVariant::kCifar10);
  ASSERT_EQ(data.class_names.size(), 10u);
  EXPECT_EQ(data.class_names[0], "c0");
  EXPECT_EQ(data.class_names[9], "c9");
}

TEST_F(CifarTest, RejectsMetaFileWithWrongNameCount) {
  WriteCifar10();
  const std::string meta = Write("cifar-10-batches-bin/batches.meta.txt", "a\nb\n");
  ExpectErrorContaining([&] { ReadCifar(dir_.string(), CifarVariant::kCifar10); },
                        {meta, "has 2 names; expected 10"});
}

TEST_F(CifarTest, ReadsCifar100FineLabels) {
  WriteCifar100();
  std::string names;
  for (int i = 0; i < 100; ++i) names += "fine" + std::to_string(i) + "\n";
  Write("cifar-100-binary/fine_label_names.txt", names);
  const CifarDataset data = ReadCifar(dir_.string(), CifarVariant::kCifar100);
  EXPECT_EQ(data.train.count, 2);
  EXPECT_EQ(data.train.labels, (std::vector<std::int64_t>{99, 3}));
  EXPECT_EQ(data.train.pixels[kImageBytes + 10], Pixel(2, 10));
  EXPECT_EQ(data.test.labels, (std::vector<std::int64_t>{42}));
  ASSERT_EQ(data.class_names.size(), 100u);
  EXPECT_EQ(data.class_names[42], "fine42");
}

TEST_F(CifarTest, StandardCifar100NamesAreHundredDistinct) {
  const std::vector<std::string>& names = StandardCifarClassNames(CifarVariant::kCifar100);
  EXPECT_EQ(names.size(), 100u);
  EXPECT_EQ(std::set<std::string>(names.begin(), names.end()).size(), 100u);
  EXPECT_EQ(names.front(), "apple");
  EXPECT_EQ(names.back(), "worm");
}

TEST_F(CifarTest, ListsEveryMissingFileAndWhereToGetThem) {
  WriteCifar10();
  fs::remove(Path("cifar-10-batches-bin/data_batch_3.bin"));
  fs::remove(Path("cifar-10-batches-bin/test_batch.bin"));
  ExpectErrorContaining(
      [&] { ReadCifar(dir_.string(), CifarVariant::kCifar10); },
      {Path("cifar-10-batches-bin"), "missing data_batch_3.bin, test_batch.bin",
       "https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz", "cifar-10-batches-bin/"});
}

TEST_F(CifarTest, MissingFolderSaysSo) {
  const std::string missing = Path("nowhere");
  ExpectErrorContaining([&] { ReadCifar(missing, CifarVariant::kCifar100); },
                        {missing, "does not exist", "cifar-100-binary.tar.gz"});
}

TEST_F(CifarTest, RecognisesTheOtherVariantsFolder) {
  WriteCifar100();
  ExpectErrorContaining([&] { ReadCifar(dir_.string(), CifarVariant::kCifar10); },
                        {"looks like CIFAR-100", "data_batch_1.bin"});
}

TEST_F(CifarTest, RejectsTruncatedFileSayingHowMuchOfTheLastRecordIsThere) {
  WriteCifar10();
  const std::string path = Path("cifar-10-batches-bin/data_batch_2.bin");
  fs::resize_file(path, 2 * 3073 + 100);
  ExpectErrorContaining([&] { ReadCifar(dir_.string(), CifarVariant::kCifar10); },
                        {path, "truncated", "2 whole records plus 100 bytes of the last one",
                         "3073 bytes", "cifar-10-binary.tar.gz"});
}

TEST_F(CifarTest, RejectsEmptyFile) {
  const std::string path = Write("empty.bin", "");
  ExpectErrorContaining([&] { ReadCifarBatchFile(path, CifarVariant::kCifar10); },
                        {path, "is empty"});
}

TEST_F(CifarTest, RejectsLabelOutOfRangeNamingFileAndRecord) {
  const std::string path = Write("batch.bin", Record({9}, 0) + Record({10}, 1));
  ExpectErrorContaining([&] { ReadCifarBatchFile(path, CifarVariant::kCifar10); },
                        {path, "record 1", "class label 10", "expected 0..9"});
}

TEST_F(CifarTest, RejectsCifar100CoarseAndFineLabelsOutOfRange) {
  const std::string coarse = Write("coarse.bin", Record({20, 5}, 0));
  ExpectErrorContaining([&] { ReadCifarBatchFile(coarse, CifarVariant::kCifar100); },
                        {coarse, "record 0", "coarse label 20", "expected 0..19"});
  const std::string fine = Write("fine.bin", Record({1, 2}, 0) + Record({1, 100}, 0));
  ExpectErrorContaining([&] { ReadCifarBatchFile(fine, CifarVariant::kCifar100); },
                        {fine, "record 1", "fine label 100", "expected 0..99"});
}

TEST_F(CifarTest, MissingBatchFileNamesIt) {
  const std::string path = Path("absent.bin");
  ExpectErrorContaining([&] { ReadCifarBatchFile(path, CifarVariant::kCifar10); },
                        {"cannot open CIFAR-10 file", path});
}

TEST_F(CifarTest, BatchThatIsASymlinkToADeviceSaysWhatItIs) {
  WriteCifar10();
  const fs::path batch = dir_ / "cifar-10-batches-bin" / "data_batch_1.bin";
  fs::remove(batch);
  fs::create_symlink("/dev/zero", batch);
  try {
    ReadCifar(dir_.string(), CifarVariant::kCifar10);
    ADD_FAILURE() << "expected an error";
  } catch (const std::runtime_error& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find(batch.string() + " is a character device, not a regular file"),
              std::string::npos)
        << message;
    EXPECT_EQ(message.find("missing"), std::string::npos) << message;
  }
}

TEST_F(CifarTest, ClassNameFileThatIsAFifoIsRefusedWithoutWaiting) {
  WriteCifar10("flat");
  const std::string fifo = Path("flat/batches.meta.txt");
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  ExpectErrorContaining([&] { ReadCifar(Path("flat"), CifarVariant::kCifar10); },
                        {fifo, "is a FIFO, not a regular file"});
}

TEST_F(CifarTest, DeviceAsTheFolderSaysWhatItIs) {
  ExpectErrorContaining([] { ReadCifar("/dev/zero", CifarVariant::kCifar10); },
                        {"CIFAR-10 folder /dev/zero", "is a character device, not a folder"});
}

TEST_F(CifarTest, BatchOverTheSizeLimitIsRefusedBeforeReading) {
  const std::string path = Write("big.bin", "");
  fs::resize_file(path, 300ll << 20);  // sparse: nothing is written
  ExpectErrorContaining([&] { ReadCifarBatchFile(path, CifarVariant::kCifar100); },
                        {path, "the limit is 256 MiB"});
}

}  // namespace
}  // namespace carbonbench
