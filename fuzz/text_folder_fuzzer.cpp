// A labelled text folder. The input is a little archive: NUL-separated pairs
// of a relative path ("train/pos/1.txt") and that file's content.
#include <vector>

#include "data/text_folder.h"
#include "fuzz_input.h"

namespace {

// Keeps the path inside the folder: no absolute paths, no "..", few levels.
bool SafeRelativePath(const std::filesystem::path& path) {
  if (path.empty() || path.is_absolute()) return false;
  int depth = 0;
  for (const auto& part : path) {
    if (part == ".." || part == "." || part.empty() || ++depth > 4) return false;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace carbonbench;
  const std::string_view input = fuzzing::AsText(data, size);
  std::vector<std::string_view> parts;
  for (std::size_t start = 0; start <= input.size();) {
    const std::size_t end = std::min(input.find('\0', start), input.size());
    parts.push_back(input.substr(start, end - start));
    start = end + 1;
  }
  const std::filesystem::path dir = fuzzing::FreshDir();
  for (std::size_t i = 0; i + 1 < parts.size() && i < 64; i += 2) {
    const std::filesystem::path relative{std::string(parts[i])};
    if (!SafeRelativePath(relative)) continue;
    std::error_code error;
    std::filesystem::create_directories((dir / relative).parent_path(), error);
    if (error || std::filesystem::is_directory(dir / relative)) continue;
    fuzzing::WriteFile(dir / relative, parts[i + 1]);
  }
  fuzzing::ReadRefusingOnlyWithUserErrors([&] { ReadTextFolder(dir.string()); });
  return 0;
}
