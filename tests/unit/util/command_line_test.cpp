#include "util/command_line.h"

#include <unistd.h>

#include <gtest/gtest.h>

namespace carbonbench {
namespace {

TEST(ShellQuoted, LeavesPlainWordsAndQuotesTheRest) {
  EXPECT_EQ(ShellQuoted("suites/quick.yaml"), "suites/quick.yaml");
  EXPECT_EQ(ShellQuoted("--benchmark_filter=cnn/base"), "--benchmark_filter=cnn/base");
  EXPECT_EQ(ShellQuoted("my suite.yaml"), "'my suite.yaml'");
  EXPECT_EQ(ShellQuoted("it's"), "'it'\\''s'");
  EXPECT_EQ(ShellQuoted(""), "''");
  EXPECT_EQ(ShellQuoted("$HOME"), "'$HOME'");
}

TEST(ShellCommand, JoinsTheQuotedArguments) {
  EXPECT_EQ(ShellCommand({"carbonbench", "run", "a b.yaml"}), "carbonbench run 'a b.yaml'");
}

TEST(CommandLineOf, ReadsThisProcess) {
  EXPECT_NE(CommandLineOf(getpid()).find("util_tests"), std::string::npos);
  EXPECT_EQ(CommandLineOf(-1), "");
}

}  // namespace
}  // namespace carbonbench
