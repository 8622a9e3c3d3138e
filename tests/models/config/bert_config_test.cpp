// Hugging Face config.json as the bert plugin reads it, without torch.
#include "bert/bert_config.h"

#include <sys/stat.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>

#include <gtest/gtest.h>

#include "temp_dir_test.h"

namespace carbonbench::models {
namespace {

std::string ErrorOf(const std::string& text) {
  try {
    ParsePretrainedConfig("model/config.json", text);
  } catch (const std::runtime_error& error) {
    return error.what();
  }
  return "no error";
}

TEST(BertConfigJson, ReadsADistilBertConfig) {
  const BertConfig config = ParsePretrainedConfig(
      "config.json", R"({"model_type": "distilbert", "dim": 64, "n_heads": 4, "n_layers": 2,
                         "id2label": {"0": "NEGATIVE", "1": "POSITIVE"}})");
  EXPECT_EQ(config.architecture, BertArchitecture::kDistilBert);
  EXPECT_EQ(config.hidden_size, 64);
  EXPECT_EQ(config.num_layers, 2);
}

// Parsed, then copied into the reader: the copy recursed once per level and
// overflowed the stack (SIGSEGV with no message).
TEST(BertConfigJson, RefusesJsonNestedDeeperThanTheLimitNamingTheFile) {
  const std::string deep = std::string(300000, '[') + std::string(300000, ']');
  const std::string error = ErrorOf(R"({"model_type": "bert", "x": )" + deep + "}");
  EXPECT_EQ(error,
            "model/config.json:1: JSON nested more than 64 levels deep; a Hugging Face "
            "config.json nests two or three: is it the right file?");
}

// Found by the bert_config fuzzer: nlohmann reports a number too large for a
// double as out_of_range, not parse_error, and it escaped the reader.
TEST(BertConfigJson, ANumberTooLargeForADoubleIsInvalidJson) {
  const std::string error = ErrorOf(R"({"model_type": "bert", "x": 62e933})");
  EXPECT_EQ(error.rfind("model/config.json: not valid JSON: ", 0), 0u) << error;
}

TEST(BertConfigJson, AValueOfTheWrongTypeNamesTheKey) {
  EXPECT_EQ(ErrorOf(R"({"model_type": "bert", "hidden_size": [[1]]})"),
            "model/config.json: 'hidden_size' must be an integer >= 1, not [[1]]");
}

class BertConfigFile : public test_support::TempDirTest {};

// The message ReadPretrainedConfig throws for `folder`, or "no error".
std::string ReadError(const std::filesystem::path& folder) {
  try {
    ReadPretrainedConfig(folder.string());
  } catch (const std::runtime_error& error) {
    return error.what();
  }
  return "no error";
}

TEST_F(BertConfigFile, RefusesALinkToDevZeroWithoutReadingIt) {
  const std::filesystem::path folder = dir_ / "model";
  std::filesystem::create_directories(folder);
  std::filesystem::create_symlink("/dev/zero", folder / "config.json");
  const std::string error = ReadError(folder);
  EXPECT_NE(error.find("config.json " + (folder / "config.json").string() +
                       " is a character device, not a regular file"),
            std::string::npos)
      << error;
}

TEST_F(BertConfigFile, RefusesAFifoWithoutWaitingForAWriter) {
  const std::filesystem::path folder = dir_ / "model";
  std::filesystem::create_directories(folder);
  ASSERT_EQ(::mkfifo((folder / "config.json").c_str(), 0600), 0);
  // An ifstream would wait here forever for a writer.
  const std::string error = ReadError(folder);
  EXPECT_NE(error.find("is a FIFO, not a regular file"), std::string::npos) << error;
}

TEST_F(BertConfigFile, RefusesAFileAboveTheLimit) {
  const std::filesystem::path folder = dir_ / "model";
  std::filesystem::create_directories(folder);
  {
    std::ofstream out(folder / "config.json", std::ios::binary);
    out << "{}";
    out.seekp(std::int64_t{16} << 20);
    out.put('\n');  // sparse: one byte over the limit without writing 16 MiB
  }
  const std::string error = ReadError(folder);
  EXPECT_NE(error.find("the limit is 16 MiB"), std::string::npos) << error;
}

TEST_F(BertConfigFile, NamesAMissingFile) {
  const std::filesystem::path folder = dir_ / "model";
  std::filesystem::create_directories(folder);
  const std::string error = ReadError(folder);
  EXPECT_NE(error.find("cannot open config.json " + (folder / "config.json").string() +
                       ": No such file or directory"),
            std::string::npos)
      << error;
}

}  // namespace
}  // namespace carbonbench::models
