#include "util/file_name.h"

#include <string>

#include <gtest/gtest.h>

namespace carbonbench {
namespace {

TEST(FileStemProblem, AcceptsPlainNames) {
  EXPECT_EQ(FileStemProblem("quickstart"), "");
  EXPECT_EQ(FileStemProblem("tour_2-b"), "");
  EXPECT_EQ(FileStemProblem(std::string(kMaxFileStemChars, 'a')), "");
}

TEST(FileStemProblem, RefusesNamesThatLeaveTheFolder) {
  EXPECT_NE(FileStemProblem("/abs/path"), "");
  EXPECT_NE(FileStemProblem(".."), "");
  EXPECT_NE(FileStemProblem("a/../b"), "");
  EXPECT_NE(FileStemProblem(std::string("a\0b", 3)), "");
}

TEST(FileStemProblem, RefusesEmptyAndOverlongNames) {
  EXPECT_EQ(FileStemProblem(""), "is empty");
  EXPECT_EQ(FileStemProblem(std::string(300, 'a')),
            "is 300 characters long; at most 100 are allowed (it names the result files)");
}

}  // namespace
}  // namespace carbonbench
