// What the end-to-end tests share: data the tests write in Fashion-MNIST's
// file layout, the real binary run as a user runs it, and a scratch folder
// per test.
#pragma once

#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

namespace carbonbench::e2e {

namespace fs = std::filesystem;

inline void WriteBigEndian(std::ofstream& out, uint32_t value) {
  const unsigned char bytes[4] = {
      static_cast<unsigned char>(value >> 24), static_cast<unsigned char>(value >> 16),
      static_cast<unsigned char>(value >> 8), static_cast<unsigned char>(value)};
  out.write(reinterpret_cast<const char*>(bytes), 4);
}

// Writes a learnable 4-class task (the bright quadrant) in Fashion-MNIST's
// file layout, with 12x12 images.
inline void WriteIdxSplit(const fs::path& dir, const std::string& prefix, int count,
                          uint32_t seed) {
  std::mt19937 random(seed);
  std::ofstream images(dir / (prefix + "-images-idx3-ubyte"), std::ios::binary);
  std::ofstream labels(dir / (prefix + "-labels-idx1-ubyte"), std::ios::binary);
  WriteBigEndian(images, 0x00000803);
  WriteBigEndian(images, count);
  WriteBigEndian(images, 12);
  WriteBigEndian(images, 12);
  WriteBigEndian(labels, 0x00000801);
  WriteBigEndian(labels, count);
  for (int i = 0; i < count; ++i) {
    const int label = static_cast<int>(random() % 4);
    labels.put(static_cast<char>(label));
    for (int row = 0; row < 12; ++row) {
      for (int col = 0; col < 12; ++col) {
        const bool bright = (row / 6) * 2 + (col / 6) == label;
        images.put(static_cast<char>((bright ? 150 : 0) + random() % 100));
      }
    }
  }
}

struct CommandResult {
  int exit_code = -1;
  std::string output;  // stdout and stderr together
};

inline CommandResult RunCarbonbench(const std::string& arguments) {
  const std::string command = std::string(CARBONBENCH_BINARY) + " " + arguments + " 2>&1";
  CommandResult result;
  FILE* pipe = popen(command.c_str(), "r");
  char buffer[4096];
  while (std::fgets(buffer, sizeof(buffer), pipe)) result.output += buffer;
  const int status = pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

// `command` started in the background through the shell, its output in
// `log`; `exec` makes the pid the command's own, for a test to kill.
inline pid_t StartInBackground(const std::string& command, const fs::path& log) {
  const std::string line = "exec " + command + " > " + log.string() + " 2>&1";
  const pid_t pid = fork();
  if (pid == 0) {
    execl("/bin/sh", "sh", "-c", line.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  return pid;
}

// A class-per-folder text corpus of two topics, 24 short documents each:
// what the text models train on end to end.
inline void WriteTwoTopicCorpus(const fs::path& corpus) {
  const std::vector<std::pair<std::string, std::string>> classes = {
      {"space", "the rocket orbit planet moon launch star"},
      {"kitchen", "the bread oven butter soup recipe salt"}};
  for (const auto& [name, words] : classes) {
    fs::create_directories(corpus / name);
    for (int i = 0; i < 24; ++i) {
      std::ofstream(corpus / name / ("doc" + std::to_string(i) + ".txt"))
          << words << " number " << i << (i % 2 ? " again" : "") << "\n";
    }
  }
}

inline std::string ReadFile(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

class EndToEnd : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    root_ = fs::temp_directory_path() /
            ("carbonbench_e2e_" + std::string(info->name()) + "_" + std::to_string(getpid()));
    fs::remove_all(root_);
    fs::create_directories(root_ / "data");
    WriteIdxSplit(root_ / "data", "train", 384, 1);
    WriteIdxSplit(root_ / "data", "t10k", 128, 2);
    // The machine's register of running cells, the test's own: tests that
    // run side by side would otherwise see each other's cells as overlaps.
    setenv("CARBONBENCH_CELLS_DIR", (root_ / "cells").c_str(), 1);
  }
  void TearDown() override { fs::remove_all(root_); }

  fs::path WriteSuite(const std::string& name, const std::string& body) {
    const fs::path path = root_ / (name + ".yaml");
    std::ofstream(path) << "suite: " << name << "\n"
                        << "dataset: {name: fashion_mnist, path: " << (root_ / "data").string()
                        << "}\n"
                        << body;
    return path;
  }

  std::string Common() const {
    return "--store " + (root_ / "results.db").string() + " --reports-dir " +
           (root_ / "reports").string();
  }
  std::string RunSuite(const fs::path& suite, const std::string& extra = "") const {
    return Common() + " run " + suite.string() + " --models-dir " + (root_ / "models").string() +
           " " + extra;
  }

  fs::path root_;
};

}  // namespace carbonbench::e2e
