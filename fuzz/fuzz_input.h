// What every fuzz target shares: the input as a file for readers that take a
// path, and the rule for what a reader may do with bad input.
#pragma once

#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <string_view>

namespace carbonbench::fuzzing {

inline std::string_view AsText(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// A folder of this process's own under TMPDIR, emptied for each input and
// removed when the fuzzer exits normally.
inline const std::filesystem::path& ScratchDir() {
  static const std::filesystem::path dir = [] {
    const char* tmp = std::getenv("TMPDIR");
    std::filesystem::path path = std::filesystem::path(tmp && *tmp ? tmp : "/tmp") /
                                 ("carbonbench_fuzz." + std::to_string(getpid()));
    std::filesystem::create_directories(path);
    std::atexit([] {
      std::error_code ignored;
      std::filesystem::remove_all(ScratchDir(), ignored);
    });
    return path;
  }();
  return dir;
}

// An empty folder for one input.
inline std::filesystem::path FreshDir() {
  const std::filesystem::path dir = ScratchDir() / "input";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

inline void WriteFile(const std::filesystem::path& path, std::string_view bytes) {
  std::filesystem::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

// The input written to a file called `name` (replacing the last input's);
// its path.
inline std::string InputFile(std::string_view bytes, const std::string& name) {
  const std::filesystem::path path = ScratchDir() / name;
  WriteFile(path, bytes);
  return path.string();
}

// Readers report bad input by throwing std::runtime_error or
// std::invalid_argument (or a subclass: yaml-cpp's and std::filesystem's
// errors are runtime errors) with a message for the user. Anything else
// escaping them (std::out_of_range, std::length_error, nlohmann's type
// errors, ...) is a bug that would reach the user as a bare library message;
// it aborts, so libFuzzer keeps the input as a crash.
template <typename Read>
void ReadRefusingOnlyWithUserErrors(Read&& read) {
  try {
    read();
  } catch (const std::runtime_error&) {
  } catch (const std::invalid_argument&) {
  } catch (const std::exception& error) {
    std::fprintf(stderr, "carbonbench fuzz: unexpected exception: %s\n", error.what());
    std::abort();
  }
}

}  // namespace carbonbench::fuzzing
