#include "data/file_io.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "unit/data/data_test_util.h"

namespace carbonbench::detail {
namespace {

using testing_data::ExpectErrorContaining;

TEST(ToValidUtf8Test, KeepsValidUtf8) {
  const std::string text = "a\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80z";  // a é € 😀 z
  EXPECT_EQ(ToValidUtf8(text), text);
}

TEST(ToValidUtf8Test, MapsInvalidBytesAsLatin1) {
  EXPECT_EQ(ToValidUtf8("caf\xE9"), "caf\xC3\xA9");                    // Latin-1 é
  EXPECT_EQ(ToValidUtf8("\x80"), "\xC2\x80");                          // lone continuation
  EXPECT_EQ(ToValidUtf8("\xC0\xAF"), "\xC3\x80\xC2\xAF");              // overlong '/'
  EXPECT_EQ(ToValidUtf8("\xED\xA0\x80"), "\xC3\xAD\xC2\xA0\xC2\x80");  // surrogate
  EXPECT_EQ(ToValidUtf8("x\xE2\x82"), "x\xC3\xA2\xC2\x82");            // cut-off sequence
  EXPECT_EQ(ToValidUtf8("\xF4\x90\x80\x80").size(), 8u);               // above U+10FFFF
}

TEST(TrimAsciiTest, StripsBothEnds) {
  EXPECT_EQ(TrimAscii(" \t\r\nab c\n "), "ab c");
  EXPECT_EQ(TrimAscii(" \n"), "");
}

TEST(ParseCsvTest, HandlesQuotesNewlinesBomCrlfAndBlankLines) {
  const std::vector<CsvRecord> records = ParseCsv(
      "\xEF\xBB\xBF"
      "a,b\r\n\r\n\"x,\"\"y\"\"\",\"1\r\n2\"\r\n,\nlast,\"\"",
      "f.csv");
  ASSERT_EQ(records.size(), 4u);
  EXPECT_EQ(records[0].fields, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(records[0].line, 1);
  EXPECT_EQ(records[1].fields, (std::vector<std::string>{"x,\"y\"", "1\r\n2"}));
  EXPECT_EQ(records[1].line, 3);
  EXPECT_EQ(records[2].fields, (std::vector<std::string>{"", ""}));
  EXPECT_EQ(records[2].line, 5);
  EXPECT_EQ(records[3].fields, (std::vector<std::string>{"last", ""}));
  EXPECT_EQ(records[3].line, 6);
}

TEST(ParseCsvTest, ReportsQuoteErrorsWithLine) {
  ExpectErrorContaining([] { ParseCsv("a\n\"b\nc", "f.csv"); },
                        {"f.csv:2", "unterminated quoted field"});
  ExpectErrorContaining([] { ParseCsv("a\n\"b\" ,c", "f.csv"); },
                        {"f.csv:2", "unexpected character ' '"});
}

TEST(ParseCsvTest, TextAfterAClosingQuoteNamesTheLineTheFieldOpens) {
  // A stray quote on line 2 swallows lines 3 and 4 into one field; the line
  // to fix is 2, not 4 where a later quote happens to close it.
  ExpectErrorContaining(
      [] { ParseCsv("a,b\n\"x,1\ny,2\nz\"w,3\n", "f.csv"); },
      {"f.csv:2", "opens on this line", "closes on line 4", "unexpected character 'w'"});
}

}  // namespace
}  // namespace carbonbench::detail
