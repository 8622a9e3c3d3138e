// Hugging Face config.json as the bert plugin reads it, without torch.
#include "bert/bert_config.h"

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

TEST_F(BertConfigFile, RefusesAnEndlessFileWithoutReadingItAll) {
  // /dev/zero stands for any file far larger than a config.json.
  const std::filesystem::path folder = dir_ / "model";
  std::filesystem::create_directories(folder);
  std::filesystem::create_symlink("/dev/zero", folder / "config.json");
  try {
    ReadPretrainedConfig(folder.string());
    ADD_FAILURE() << "an endless config.json was accepted";
  } catch (const std::runtime_error& error) {
    EXPECT_NE(std::string(error.what()).find("config.json: larger than 16 MB"), std::string::npos)
        << error.what();
  }
}

}  // namespace
}  // namespace carbonbench::models
