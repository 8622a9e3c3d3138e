// The nesting check run before JSON is parsed: it counts brackets as JSON
// does, outside strings.
#include "carbonbench/json_nesting.h"

#include <string>

#include <gtest/gtest.h>

namespace carbonbench {
namespace {

TEST(JsonNesting, ADocumentWithinTheLimitPasses) {
  // Four levels: the object, the array, the inner object, the empty array.
  EXPECT_EQ(LineNestedDeeperThan(R"({"a": [1, {"b": []}], "c": {}})", 4), std::nullopt);
  EXPECT_EQ(LineNestedDeeperThan(R"({"a": [1, {"b": []}], "c": {}})", 3), std::size_t{1});
  EXPECT_EQ(LineNestedDeeperThan("", 0), std::nullopt);
  EXPECT_EQ(LineNestedDeeperThan("17", 0), std::nullopt);
}

TEST(JsonNesting, NamesTheLineThatGoesOneLevelTooDeep) {
  EXPECT_EQ(LineNestedDeeperThan("{\n \"a\": [\n  [1]\n ]\n}", 2), std::size_t{3});
  EXPECT_EQ(LineNestedDeeperThan("[[]]", 1), std::size_t{1});
}

TEST(JsonNesting, BracketsInStringsDoNotCount) {
  EXPECT_EQ(LineNestedDeeperThan(R"({"[[[[": "{{{\"[["})", 1), std::nullopt);
  EXPECT_EQ(LineNestedDeeperThan(R"(["\\", [[]]])", 2), std::size_t{1});
}

TEST(JsonNesting, ClosingBracketsBeforeOpeningOnesDoNotHideDepth) {
  EXPECT_EQ(LineNestedDeeperThan("]]]][[[", 2), std::size_t{1});
}

TEST(JsonNesting, AFileNestedHundredsOfThousandsDeepIsFoundWithoutRecursing) {
  const std::string deep = std::string(300000, '[') + std::string(300000, ']');
  EXPECT_EQ(LineNestedDeeperThan(deep, kJsonNestingLimit), std::size_t{1});
}

}  // namespace
}  // namespace carbonbench
