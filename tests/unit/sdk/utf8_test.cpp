#include "carbonbench/utf8.h"

#include <string>

#include <gtest/gtest.h>

namespace carbonbench {
namespace {

TEST(Utf8, ValidTextHasNoInvalidByte) {
  EXPECT_EQ(FirstInvalidUtf8Byte(""), std::nullopt);
  EXPECT_EQ(FirstInvalidUtf8Byte("plain ascii\n"), std::nullopt);
  EXPECT_EQ(FirstInvalidUtf8Byte("caf\xc3\xa9 \xe4\xb8\xad \xf0\x9f\x98\x80 \xf4\x8f\xbf\xbf"),
            std::nullopt);
}

TEST(Utf8, NamesTheOffsetOfTheFirstInvalidByte) {
  EXPECT_EQ(FirstInvalidUtf8Byte("ab\xab"), std::size_t{2});            // a lone continuation
  EXPECT_EQ(FirstInvalidUtf8Byte("x\xc3"), std::size_t{1});             // cut short
  EXPECT_EQ(FirstInvalidUtf8Byte("\xc3(x"), std::size_t{0});            // not continued
  EXPECT_EQ(FirstInvalidUtf8Byte("\xc0\xaf"), std::size_t{0});          // overlong '/'
  EXPECT_EQ(FirstInvalidUtf8Byte("\xe0\x80\xaf"), std::size_t{0});      // overlong, 3 bytes
  EXPECT_EQ(FirstInvalidUtf8Byte("\xed\xa0\x80"), std::size_t{0});      // a surrogate
  EXPECT_EQ(FirstInvalidUtf8Byte("\xf4\x90\x80\x80"), std::size_t{0});  // above U+10FFFF
  EXPECT_EQ(FirstInvalidUtf8Byte("ok \xff"), std::size_t{3});
}

}  // namespace
}  // namespace carbonbench
