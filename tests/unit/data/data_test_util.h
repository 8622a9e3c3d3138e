// Helpers shared by the dataset-reader tests: a per-test temp folder and an
// assertion on error messages.
#pragma once

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "error_message.h"

namespace carbonbench::testing_data {

using test_support::ExpectErrorContaining;

// A fresh folder per test, removed afterwards.
class TempDirTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = std::filesystem::temp_directory_path() /
           (std::string("carbonbench_data_") + info->test_suite_name() + "_" + info->name() + "_" +
            std::to_string(::getpid()));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // Writes `bytes` to dir_/relative, creating parent folders; returns the path.
  std::string Write(const std::string& relative, const std::string& bytes) {
    const std::filesystem::path path = dir_ / relative;
    std::filesystem::create_directories(path.parent_path());
    std::ofstream out(path, std::ios::binary);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    return path.string();
  }

  std::string Path(const std::string& relative) const { return (dir_ / relative).string(); }

  std::filesystem::path dir_;
};

}  // namespace carbonbench::testing_data
