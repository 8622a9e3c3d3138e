#include "suites/code_file_setting.h"

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string_view>
#include <system_error>
#include <vector>

#include "carbonbench/file_trust.h"
#include "suites/config_hash.h"

namespace carbonbench::detail {

namespace fs = std::filesystem;

std::string ResolveCodeFile(const std::string& key, const std::string& given,
                            const std::string& relative_to, std::string* resolved) {
  std::error_code error;
  const fs::path base = relative_to.empty() ? fs::current_path(error) : fs::path(relative_to);
  const fs::path path =
      (fs::path(given).is_absolute() ? fs::path(given) : base / given).lexically_normal();
  *resolved = path.string();
  const std::string from =
      fs::path(given).is_absolute()
          ? ""
          : " (a relative path is taken from " +
                std::string(relative_to.empty() ? "the folder carbonbench runs in, "
                                                : "the suite file's folder, ") +
                base.string() + ")";
  const fs::file_status status = fs::status(path, error);
  if (!fs::exists(status)) return key + ": " + path.string() + ": no such file" + from;
  if (!fs::is_regular_file(status)) return key + ": " + path.string() + " is not a regular file";
  const std::string problem = UntrustedCodeFileProblem(path.string(), "the file");
  if (problem.empty()) return "";
  return key + " names a file of code, which is loaded only when nobody but you or root could " +
         "have changed it: " + problem;
}

std::string CodeFileDigest(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return "";
  std::uint64_t hash = kFnv1a64Basis;
  std::vector<char> block(1 << 20);
  while (in) {
    in.read(block.data(), static_cast<std::streamsize>(block.size()));
    hash = Fnv1a64(std::string_view(block.data(), static_cast<std::size_t>(in.gcount())), hash);
  }
  if (in.bad()) return "";
  return Hex64(hash);
}

}  // namespace carbonbench::detail
