// A fresh temporary folder, removed with everything in it, for tests of code
// that reads or writes files: as an object, or as a test fixture's folder.
#pragma once

#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <system_error>

#include <gtest/gtest.h>

namespace carbonbench::test_support {

class TempDir {
 public:
  TempDir() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "carbonbench_test_XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
  }
  ~TempDir() {
    // A test may have made the folder unreadable to check an error path.
    std::error_code ignored;
    std::filesystem::permissions(path_, std::filesystem::perms::owner_all, ignored);
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::string PathIn(const std::string& name) const { return (path_ / name).string(); }

  // Writes `text` to the file `name` in the folder (replacing it); returns its path.
  std::string Write(const std::string& name, const std::string& text) const {
    const std::string path = PathIn(name);
    std::ofstream(path, std::ios::binary) << text;
    return path;
  }

 private:
  std::filesystem::path path_;
};

// A test whose folder is dir_.
class TempDirTest : public ::testing::Test {
 protected:
  std::string PathIn(const std::string& name) const { return temp_.PathIn(name); }
  std::string Write(const std::string& name, const std::string& text) const {
    return temp_.Write(name, text);
  }

  TempDir temp_;
  const std::filesystem::path dir_ = temp_.path();
};

}  // namespace carbonbench::test_support
