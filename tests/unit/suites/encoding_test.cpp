// Suite text that is not UTF-8: yaml-cpp reads it, but the cells' settings
// are JSON, which cannot hold it.
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "suite_test_support.h"

namespace carbonbench {
namespace {

using testing_support::ErrorsOf;
using Strings = std::vector<std::string>;

// Found by the suite_reader fuzzer: nlohmann's type_error 316 ("invalid
// UTF-8 byte at index 1: 0xAB") escaped the reader, naming no file.
TEST(SuiteEncoding, AByteThatIsNotUtf8IsRefusedWithItsPlace) {
  EXPECT_EQ(ErrorsOf("suite: q\ndescription: caf\xe9 au lait\n"),
            Strings{"quickstart.yaml:2:17: byte 0xE9 is not UTF-8; save the file as UTF-8"});
  EXPECT_EQ(ErrorsOf("\xab"),
            Strings{"quickstart.yaml:1:1: byte 0xAB is not UTF-8; save the file as UTF-8"});
}

}  // namespace
}  // namespace carbonbench
