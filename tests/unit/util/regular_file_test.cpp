#include "util/regular_file.h"

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include <gtest/gtest.h>

#include "error_message.h"
#include "unprivileged.h"

namespace carbonbench {
namespace {

namespace fs = std::filesystem;
using test_support::ExpectErrorContaining;

class RegularFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::temp_directory_path() / (std::string("carbonbench_regular_file_") + info->name() +
                                        "_" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override {
    fs::permissions(dir_, fs::perms::owner_all, fs::perm_options::add);
    fs::remove_all(dir_);
  }

  std::string Write(const std::string& name, const std::string& bytes) {
    const std::string path = (dir_ / name).string();
    std::ofstream(path, std::ios::binary) << bytes;
    return path;
  }

  fs::path dir_;
};

TEST_F(RegularFileTest, ReadsAWholeFileUnderTheLimit) {
  const std::string path = Write("a.txt", "hello\n");
  EXPECT_EQ(ReadRegularFile(path, "text file", 6), "hello\n");
}

TEST_F(RegularFileTest, RefusesAFileOverTheLimitNamingTheLimit) {
  const std::string path = Write("big.txt", std::string(2000, 'x'));
  ExpectErrorContaining([&] { ReadRegularFile(path, "text file", 1024); },
                        {"text file " + path, "2000 bytes", "1 KiB", "limit"});
}

TEST_F(RegularFileTest, RefusesAFifoWithoutWaitingForAWriter) {
  const std::string path = (dir_ / "pipe").string();
  ASSERT_EQ(::mkfifo(path.c_str(), 0600), 0);
  // Without O_NONBLOCK this open would wait forever for a writer.
  ExpectErrorContaining([&] { ReadRegularFile(path, "CSV file", 1024); },
                        {"CSV file " + path, "is a FIFO, not a regular file"});
}

TEST_F(RegularFileTest, RefusesACharacterDeviceAndASymlinkToOne) {
  ExpectErrorContaining([] { ReadRegularFile("/dev/zero", "CSV file", 1 << 20); },
                        {"CSV file /dev/zero", "is a character device, not a regular file"});
  const std::string link = (dir_ / "data_batch_1.bin").string();
  fs::create_symlink("/dev/zero", link);
  ExpectErrorContaining([&] { ReadRegularFile(link, "CIFAR-10 file", 1 << 20); },
                        {"CIFAR-10 file " + link, "is a character device, not a regular file"});
}

TEST_F(RegularFileTest, RefusesAFolder) {
  ExpectErrorContaining([&] { ReadRegularFile(dir_.string(), "CSV file", 1024); },
                        {"CSV file " + dir_.string(), "is a folder, not a regular file"});
}

TEST_F(RegularFileTest, SaysWhenTheFileDoesNotExist) {
  const std::string path = (dir_ / "absent.csv").string();
  ExpectErrorContaining([&] { ReadRegularFile(path, "CSV file", 1024); },
                        {"cannot open CSV file " + path, "No such file or directory"});
}

TEST_F(RegularFileTest, OpenedFileReportsItsSize) {
  const std::string path = Write("a.bin", std::string(10, 'x'));
  const RegularFile file = OpenRegularFile(path, "IDX file");
  EXPECT_GE(file.fd(), 0);
  EXPECT_EQ(file.size_bytes(), 10);
}

TEST_F(RegularFileTest, FolderProblemNamesWhatThePathIs) {
  EXPECT_EQ(FolderProblem(dir_.string()), "");
  EXPECT_EQ(FolderProblem((dir_ / "absent").string()), "does not exist");
  EXPECT_EQ(FolderProblem("/dev/zero"), "is a character device, not a folder");
  const std::string file = Write("f.csv", "a,b\n");
  EXPECT_EQ(FolderProblem(file), "is a regular file, not a folder");
}

TEST_F(RegularFileTest, FolderProblemSaysPermissionDenied) {
  const fs::path locked = dir_ / "locked";
  fs::create_directories(locked);
  fs::permissions(locked, fs::perms::none);
  // Root reads every folder; the check runs as an unprivileged user then.
  EXPECT_EQ(test_support::AsUnprivilegedUser([&] { return FolderProblem(locked.string()); }),
            "cannot be read: Permission denied");
}

TEST(ByteCountTextTest, UsesTheLargestWholeUnit) {
  EXPECT_EQ(ByteCountText(512), "512 bytes");
  EXPECT_EQ(ByteCountText(1024), "1 KiB");
  EXPECT_EQ(ByteCountText(64ll << 20), "64 MiB");
  EXPECT_EQ(ByteCountText(2ll << 30), "2 GiB");
}

}  // namespace
}  // namespace carbonbench
