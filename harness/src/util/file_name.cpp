#include "util/file_name.h"

#include <algorithm>
#include <cctype>

namespace carbonbench {

std::string FileStemProblem(const std::string& name) {
  return FileStemProblem(name, "it names the result files");
}

std::string FileStemProblem(const std::string& name, const std::string& use) {
  if (name.empty()) return "is empty";
  if (name.size() > kMaxFileStemChars) {
    return "is " + std::to_string(name.size()) + " characters long; at most " +
           std::to_string(kMaxFileStemChars) + " are allowed (" + use + ")";
  }
  const bool plain = std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
  });
  if (!plain) return "may only use letters, digits, '_' and '-' (" + use + ")";
  return "";
}

}  // namespace carbonbench
