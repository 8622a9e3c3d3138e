#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <string>

#include <gtest/gtest.h>

#include "error_message.h"
#include "power_model/csv_records.h"
#include "power_model/score_file.h"
#include "temp_dir_test.h"

namespace carbonbench::power_model {
namespace {

using test_support::ExpectErrorContaining;

class PowerModelFileTest : public test_support::TempDirTest {};

TEST_F(PowerModelFileTest, ScoreFileThatIsAFifoIsRefusedWithoutWaitingForAWriter) {
  const std::string path = PathIn("meas.csv");
  ASSERT_EQ(::mkfifo(path.c_str(), 0600), 0);
  // An ifstream would wait here forever for a writer.
  ExpectErrorContaining([&] { ReadScoreCsv(path); },
                        {path, "is a FIFO, not a regular file", "the measurements to score"});
}

TEST_F(PowerModelFileTest, ScoreFileLinkedToDevZeroIsRefusedWithoutReadingIt) {
  const std::string path = PathIn("meas.csv");
  std::filesystem::create_symlink("/dev/zero", path);
  ExpectErrorContaining([&] { ReadScoreCsv(path); },
                        {path, "is a character device, not a regular file"});
}

TEST_F(PowerModelFileTest, FileAboveTheLimitIsRefusedNamingTheLimit) {
  const std::string path = PathIn("cpu_families.csv");
  {
    std::ofstream out(path, std::ios::binary);
    out.seekp(kMaxPowerModelFileBytes);
    out.put('\n');  // sparse: one byte over the limit without writing 64 MiB
  }
  ExpectErrorContaining([&] { ReadWholeFile(path, "the CPU family power table"); },
                        {path, "64 MiB", "limit", "the CPU family power table"});
}

TEST_F(PowerModelFileTest, MissingFileIsNamedWithWhatItHolds) {
  const std::string path = PathIn("absent.csv");
  ExpectErrorContaining([&] { ReadWholeFile(path, "the CPU family power table"); },
                        {path, "No such file or directory", "the CPU family power table"});
}

TEST_F(PowerModelFileTest, ReadsARegularFileWhole) {
  const std::string path = Write("t.csv", "a,b\n1,2\n");
  EXPECT_EQ(ReadWholeFile(path, "a table"), "a,b\n1,2\n");
}

}  // namespace
}  // namespace carbonbench::power_model
