#include "data/fortunes.h"

#include <algorithm>
#include <filesystem>
#include <set>
#include <stdexcept>

#include <fmt/format.h>

#include "data/file_io.h"
#include "data/input_limits.h"
#include "util/regular_file.h"
#include "util/strings.h"

namespace carbonbench {
namespace {

namespace fs = std::filesystem;

std::string HowToInstall(const std::string& dir) {
  return dir == kDefaultFortunesDir
             ? std::string("apt-get install fortunes (installs ") + kDefaultFortunesDir + ")"
             : std::string("apt-get install fortunes (installs ") + kDefaultFortunesDir +
                   "), or pass a folder of fortune files as dataset.path";
}

bool IsCompanion(const std::string& name) {
  const auto ends_with = [&](const std::string& suffix) {
    return name.size() >= suffix.size() &&
           name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0;
  };
  return ends_with(".dat") || ends_with(".u8");
}

}  // namespace

namespace detail {

std::vector<std::string> SplitFortunes(const std::string& text, std::int64_t& empty) {
  std::vector<std::string> entries;
  std::string entry;
  const auto finish = [&] {
    std::string trimmed = TrimAscii(entry);
    entry.clear();
    if (trimmed.empty()) {
      ++empty;
    } else {
      entries.push_back(std::move(trimmed));
    }
  };
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    const std::string line = text.substr(start, end - start);
    start = end + 1;
    // "%\r" too: a file that went through a Windows editor.
    if (line == "%" || line == "%\r") {
      finish();
    } else {
      entry += line;
      entry += '\n';
    }
  }
  // The last entry usually ends with a final "%"; text after it is one more.
  if (!TrimAscii(entry).empty()) finish();
  return entries;
}

}  // namespace detail

std::vector<std::string> ListFortuneCategories(const std::string& dir) {
  const std::string problem = FolderProblem(dir);
  if (!problem.empty()) {
    throw std::runtime_error(
        fmt::format("fortune folder {} {}; {}", dir, problem, HowToInstall(dir)));
  }
  std::vector<std::string> categories;
  for (const fs::directory_entry& entry : fs::directory_iterator(dir)) {
    const std::string name = entry.path().filename().string();
    if (!entry.is_regular_file() || name.rfind('.', 0) == 0 || IsCompanion(name)) continue;
    categories.push_back(name);
  }
  std::sort(categories.begin(), categories.end());
  return categories;
}

TextDataset ReadFortunes(const std::string& dir, const std::vector<std::string>& categories) {
  const std::vector<std::string> available = ListFortuneCategories(dir);
  if (categories.empty()) {
    throw std::runtime_error(
        fmt::format("fortunes: no categories asked for; name at least one of {} (in {})",
                    JoinStrings(available, ", "), dir));
  }
  std::set<std::string> seen;
  for (const std::string& category : categories) {
    if (!seen.insert(category).second) {
      throw std::runtime_error(fmt::format(
          "fortunes: category '{}' is listed twice; each category is one class", category));
    }
    if (std::find(available.begin(), available.end(), category) == available.end()) {
      // Not listed because it is not a regular file: say what it is instead.
      const fs::path path = fs::path(dir) / category;
      std::error_code error;
      if (fs::exists(path, error)) OpenRegularFile(path.string(), "fortune file");
      throw std::runtime_error(fmt::format(
          "fortunes: no category '{}' in {}{}; available: {} (to get every category: {}; the "
          "fortunes-min package alone has only 'fortunes')",
          category, dir, DidYouMean(category, available),
          available.empty() ? "none" : JoinStrings(available, ", "), HowToInstall(dir)));
    }
  }
  TextDataset dataset;
  dataset.class_names = categories;
  for (std::size_t label = 0; label < categories.size(); ++label) {
    const std::string path = (fs::path(dir) / categories[label]).string();
    const std::vector<std::string> entries = detail::SplitFortunes(
        detail::ToValidUtf8(detail::ReadWholeFile(path, "fortune file", detail::kMaxTextFileBytes)),
        dataset.skipped_empty);
    if (entries.empty()) {
      throw std::runtime_error(
          fmt::format("fortune file {}: holds no entries; expected text entries separated by lines "
                      "holding only %",
                      path));
    }
    for (const std::string& entry : entries) {
      dataset.train.texts.push_back(entry);
      dataset.train.labels.push_back(static_cast<std::int64_t>(label));
    }
  }
  return dataset;
}

}  // namespace carbonbench
