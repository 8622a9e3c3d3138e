// The safetensors header read without torch: what the fuzzer exercises and
// what SafetensorsFile::Open builds on.
#include "carbonbench/safetensors_layout.h"

#include <cstdint>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

namespace carbonbench {
namespace {

// A file laid out by hand: length prefix, header text, data bytes.
std::string FileBytes(const std::string& header, const std::string& data) {
  std::string bytes;
  std::uint64_t length = header.size();
  for (int i = 0; i < 8; ++i) bytes += static_cast<char>((length >> (8 * i)) & 0xff);
  return bytes + header + data;
}

SafetensorsLayout Read(const std::string& bytes) {
  std::istringstream in(bytes);
  return ReadSafetensorsLayout("model.safetensors", in, bytes.size());
}

std::string ErrorOf(const std::string& bytes) {
  try {
    Read(bytes);
  } catch (const SafetensorsError& error) {
    return error.what();
  }
  return "no error";
}

TEST(SafetensorsLayout, ReadsEntriesInHeaderOrderAndMetadata) {
  const auto layout = Read(FileBytes(
      R"({"b":{"dtype":"F16","shape":[2],"data_offsets":[0,4]},)"
      R"("a":{"dtype":"U8","shape":[],"data_offsets":[4,5]},"__metadata__":{"format":"pt"}})",
      "12345"));
  ASSERT_EQ(layout.entries.size(), 2u);
  EXPECT_EQ(layout.entries[0].name, "b");
  EXPECT_EQ(layout.entries[0].shape, (std::vector<std::int64_t>{2}));
  EXPECT_EQ(layout.entries[1].dtype, "U8");
  EXPECT_EQ(layout.entries[1].begin_byte, 4u);
  EXPECT_EQ(layout.metadata.at("format"), "pt");
}

TEST(SafetensorsLayout, RefusesAnUnknownDtypeNamingTheSupportedOnes) {
  const std::string error =
      ErrorOf(FileBytes(R"({"t":{"dtype":"F8","shape":[1],"data_offsets":[0,1]}})", "x"));
  EXPECT_NE(error.find("model.safetensors: tensor 't': unknown dtype 'F8'"), std::string::npos)
      << error;
  EXPECT_NE(error.find("BF16"), std::string::npos) << error;
}

// nlohmann reports a number too large for a double as out_of_range, not
// parse_error.
TEST(SafetensorsLayout, ANumberTooLargeForADoubleIsInvalidJson) {
  const std::string error = ErrorOf(FileBytes(R"({"t": 62e933})", ""));
  EXPECT_EQ(error.rfind("model.safetensors: the header is not valid JSON: ", 0), 0u) << error;
}

// A header nested 300,000 deep parsed, then copied or printed in a message,
// overflowed the stack.
TEST(SafetensorsLayout, RefusesAHeaderNestedDeeperThanTheLimit) {
  const std::string deep = std::string(300000, '[') + std::string(300000, ']');
  const std::string error = ErrorOf(
      FileBytes(R"({"t":{"dtype":"F32","shape":)" + deep + R"(,"data_offsets":[0,0]}})", ""));
  EXPECT_NE(error.find("model.safetensors: the header nests arrays or objects more than 64 levels "
                       "deep"),
            std::string::npos)
      << error;
}

}  // namespace
}  // namespace carbonbench
