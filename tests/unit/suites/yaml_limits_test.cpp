// A suite's YAML past the depth and size any real suite needs is refused
// with the file, the line and the limit, before anything walks it.
#include "suites/yaml_limits.h"

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "unit/suites/suite_test_support.h"

namespace carbonbench {
namespace {

using testing_support::ErrorsOf;
using testing_support::Load;
using Strings = std::vector<std::string>;

std::string Repeat(const std::string& text, int times) {
  std::string out;
  for (int i = 0; i < times; ++i) out += text;
  return out;
}

TEST(YamlLimitsTest, NestingPastTheLimitNamesTheLineAndTheLimit) {
  // 100 levels: parsed by yaml-cpp, refused by the depth walk.
  EXPECT_EQ(ErrorsOf("suite: q\ndefaults: " + Repeat("[", 100) + Repeat("]", 100) + "\n"),
            Strings{"quickstart.yaml:2:74: the YAML here is nested more than 64 levels deep (a "
                    "suite needs a few; an alias that contains itself also does this)"});
  // Thousands: yaml-cpp's own guard, once reported as "bad file".
  const auto deep =
      ErrorsOf("suite: q\ndefaults: " + Repeat("{a: ", 5000) + "1" + Repeat("}", 5000) + "\n");
  ASSERT_EQ(deep.size(), 1u);
  EXPECT_EQ(deep[0].rfind("quickstart.yaml:2:", 0), 0u) << deep[0];
  EXPECT_NE(deep[0].find("nested more than 64 levels deep"), std::string::npos) << deep[0];
}

TEST(YamlLimitsTest, ARealSuitesDepthPasses) {
  EXPECT_EQ(Load("suite: q\nmatrix:\n  include: [{early_stop: {patience: 2}}]\n").cells.size(), 1u);
}

TEST(YamlLimitsTest, AnAliasThatContainsItselfStops) {
  EXPECT_EQ(ErrorsOf("suite: q\nmatrix: &a {epochs: *a}\n"),
            Strings{"quickstart.yaml:2:9: the YAML here is nested more than 64 levels deep (a "
                    "suite needs a few; an alias that contains itself also does this)"});
}

TEST(YamlLimitsTest, AnAliasBombIsCountedAsWhatItExpandsTo) {
  std::string bomb = "suite: q\nx0: &x0 [a, a, a, a, a, a, a, a, a, a]\n";
  for (int i = 1; i <= 9; ++i) {
    const std::string prev = "*x" + std::to_string(i - 1);
    bomb += "x" + std::to_string(i) + ": &x" + std::to_string(i) + " [" + Repeat(prev + ", ", 9) +
            prev + "]\n";
  }
  const auto errors = ErrorsOf(bomb);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0].find("the suite holds more than 100000 YAML values (counting each alias"),
            std::string::npos)
      << errors[0];
}

TEST(YamlLimitsTest, AHugeListIsRefusedOnceNotValueByValue) {
  const auto errors = ErrorsOf("suite: q\nmeters: [" + Repeat("x, ", 200000) + "x]\n");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0].find("more than 100000 YAML values"), std::string::npos);
}

TEST(YamlLimitsTest, ManyErrorsAreCappedWithACount) {
  const auto errors = ErrorsOf("suite: q\nmeters: [" + Repeat("x, ", 199) + "x]\n");
  ASSERT_EQ(errors.size(), 51u);
  EXPECT_EQ(errors.back(),
            "quickstart.yaml: ... and 150 more problems of the same kinds; fix these and run "
            "again");
}

TEST(YamlLimitsTest, AnOverlongFileIsRefusedWithoutReadingItAll) {
  const std::string path = ::testing::TempDir() + "/huge_suite.yaml";
  {
    std::ofstream out(path);
    out << "suite: q\ndescription: \"";
    out << std::string(detail::kMaxSuiteTextBytes, 'x') << "\"\n";
  }
  try {
    LoadSuiteFile(path, testing_support::TestCatalog());
    FAIL() << "no exception";
  } catch (const SuiteError& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("suite file " + path + " is "), std::string::npos) << message;
    EXPECT_NE(message.find("the limit is 16 MiB"), std::string::npos) << message;
  }
}

// The message of the SuiteError that loading `path` throws, or "".
std::string LoadError(const std::string& path) {
  try {
    LoadSuiteFile(path, testing_support::TestCatalog());
  } catch (const SuiteError& e) {
    return e.what();
  }
  return "";
}

TEST(YamlLimitsTest, AFifoIsRefusedWithoutWaitingForAWriter) {
  const std::string path = ::testing::TempDir() + "/fifo_suite_" + std::to_string(::getpid());
  std::filesystem::remove(path);
  ASSERT_EQ(::mkfifo(path.c_str(), 0600), 0);
  // An ifstream would wait here forever for a writer.
  const std::string message = LoadError(path);
  std::filesystem::remove(path);
  EXPECT_NE(message.find("suite file " + path + " is a FIFO, not a regular file"),
            std::string::npos)
      << message;
}

TEST(YamlLimitsTest, DevZeroIsRefusedWithoutReadingIt) {
  const std::string message = LoadError("/dev/zero");
  EXPECT_NE(message.find("suite file /dev/zero is a character device, not a regular file"),
            std::string::npos)
      << message;
}

TEST(YamlLimitsTest, AFolderIsNamedAsOne) {
  const std::string message = LoadError(::testing::TempDir());
  EXPECT_NE(message.find("is a folder, not a regular file"), std::string::npos) << message;
}

}  // namespace
}  // namespace carbonbench
