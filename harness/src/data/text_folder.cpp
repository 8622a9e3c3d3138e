#include "data/text_folder.h"

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <map>
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

constexpr const char* kImdbUrl = "https://ai.stanford.edu/~amaas/data/sentiment/aclImdb_v1.tar.gz";
constexpr const char* kFolderLayout =
    "expected one subfolder per class holding text files, either DIR/train/<class>/* and "
    "DIR/test/<class>/*, or DIR/<class>/* with no split";

std::string ImdbHowToGet() {
  return std::string("download ") + kImdbUrl +
         " and extract it (tar xzf aclImdb_v1.tar.gz) into a folder, which creates aclImdb/; "
         "pass that folder or its parent as dataset.path";
}

bool IsHidden(const fs::path& path) { return path.filename().string().rfind('.', 0) == 0; }

// Regular files directly in `dir` (optionally with `extension`), hidden ones
// and folders skipped, sorted by name so every run sees the same order. Any
// other entry (a FIFO, a device, a symlink to one) is refused by name: read,
// it would hang or never end; skipped, the dataset would silently shrink.
std::vector<fs::path> SortedFiles(const fs::path& dir, const std::string& extension = "") {
  std::vector<fs::path> files;
  for (const fs::directory_entry& entry : fs::directory_iterator(dir)) {
    if (IsHidden(entry.path()) || entry.is_directory()) continue;
    if (!extension.empty() && entry.path().extension() != extension) continue;
    if (!entry.is_regular_file()) OpenRegularFile(entry.path().string(), "text file");
    files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end(),
            [](const fs::path& a, const fs::path& b) { return a.filename() < b.filename(); });
  return files;
}

std::vector<std::string> SortedSubfolders(const fs::path& dir) {
  std::vector<std::string> names;
  for (const fs::directory_entry& entry : fs::directory_iterator(dir)) {
    if (entry.is_directory() && !IsHidden(entry.path())) {
      names.push_back(entry.path().filename().string());
    }
  }
  std::sort(names.begin(), names.end());
  return names;
}

// IMDb marks line breaks inside a review with HTML <br /> tags.
std::string ReplaceLineBreakTags(std::string text) {
  for (const std::string tag : {"<br />", "<br/>", "<br>"}) {
    for (std::size_t at = text.find(tag); at != std::string::npos; at = text.find(tag, at + 1)) {
      text.replace(at, tag.size(), " ");
    }
  }
  return text;
}

// Reads `files` as examples of class `label`; empty ones are counted, not kept.
void AddFiles(const std::vector<fs::path>& files, std::int64_t label, bool strip_tags,
              TextSplit& split, std::int64_t& skipped_empty) {
  for (const fs::path& file : files) {
    std::string text = detail::ToValidUtf8(
        detail::ReadWholeFile(file.string(), "text file", detail::kMaxTextFileBytes));
    if (strip_tags) text = ReplaceLineBreakTags(std::move(text));
    if (detail::TrimAscii(text).empty()) {
      ++skipped_empty;
      continue;
    }
    split.texts.push_back(std::move(text));
    split.labels.push_back(label);
  }
}

std::string ResolveImdbDir(const std::string& path) {
  const fs::path nested = fs::path(path) / "aclImdb";
  std::error_code error;
  if (fs::is_directory(nested, error)) return nested.string();
  const std::string problem = FolderProblem(path);
  if (!problem.empty()) {
    throw std::runtime_error(fmt::format("IMDb folder {} {}; {}", path, problem, ImdbHowToGet()));
  }
  return path;
}

// Reads one split of a folder-per-class dataset; `classes` are already fixed.
void ReadClassFolders(const fs::path& split_dir, const std::vector<std::string>& classes,
                      TextSplit& split, std::int64_t& skipped_empty) {
  for (std::size_t label = 0; label < classes.size(); ++label) {
    const fs::path class_dir = split_dir / classes[label];
    std::error_code error;
    if (!fs::is_directory(class_dir, error)) continue;  // a test split may lack a class
    const std::vector<fs::path> files = SortedFiles(class_dir);
    if (files.empty()) {
      throw std::runtime_error(fmt::format("text folder {}: class folder holds no files; {}",
                                           class_dir.string(), kFolderLayout));
    }
    AddFiles(files, static_cast<std::int64_t>(label), /*strip_tags=*/false, split, skipped_empty);
  }
}

std::vector<std::string> ClassFolders(const fs::path& dir) {
  std::vector<std::string> classes = SortedSubfolders(dir);
  if (classes.size() < 2) {
    throw std::runtime_error(
        fmt::format("text folder {}: found {} class subfolder{}, need at least 2; {} (pointed at a "
                    "class folder, or at the folder above the dataset?)",
                    dir.string(), classes.size(),
                    classes.size() == 1 ? " (" + classes.front() + ")" : "s", kFolderLayout));
  }
  return classes;
}

// --- CSV ---------------------------------------------------------------------

struct CsvRows {
  std::vector<std::string> texts;
  std::vector<std::string> labels;
};

[[noreturn]] void ThrowCsvLayout(const std::string& path, std::int64_t line,
                                 const std::string& what) {
  throw std::runtime_error(fmt::format(
      "CSV file {}:{}: {}; expected a header line naming a `text` and a `label` column (other "
      "columns are ignored), then one row per example with as many fields as the header",
      path, line, what));
}

CsvRows ReadCsvRows(const std::string& path, std::int64_t& skipped_empty) {
  const std::vector<detail::CsvRecord> records =
      detail::ParseCsv(detail::ReadWholeFile(path, "CSV file", detail::kMaxTextCsvBytes), path);
  if (records.empty()) ThrowCsvLayout(path, 1, "the file is empty");
  const std::vector<std::string>& header = records.front().fields;
  const int text_column = detail::FindColumn(header, "text");
  const int label_column = detail::FindColumn(header, "label");
  if (text_column < 0 || label_column < 0) {
    std::vector<std::string> missing;
    if (text_column < 0) missing.push_back("`text`");
    if (label_column < 0) missing.push_back("`label`");
    ThrowCsvLayout(path, records.front().line,
                   "the header has no " + JoinStrings(missing, " or ") +
                       " column (it has: " + JoinStrings(header, ", ") + ")");
  }
  if (records.size() == 1) ThrowCsvLayout(path, records.front().line, "a header but no rows");
  CsvRows rows;
  for (std::size_t i = 1; i < records.size(); ++i) {
    const detail::CsvRecord& record = records[i];
    if (record.fields.size() != header.size()) {
      ThrowCsvLayout(path, record.line,
                     "row has " + std::to_string(record.fields.size()) + " fields, the header " +
                         std::to_string(header.size()) +
                         " (an unquoted comma in the text? quote the field)");
    }
    const std::string label = detail::TrimAscii(record.fields[label_column]);
    if (label.empty()) ThrowCsvLayout(path, record.line, "the label is empty");
    std::string text = detail::ToValidUtf8(record.fields[text_column]);
    if (detail::TrimAscii(text).empty()) {
      ++skipped_empty;
      continue;
    }
    rows.texts.push_back(std::move(text));
    rows.labels.push_back(detail::ToValidUtf8(label));
  }
  return rows;
}

bool ParseInteger(const std::string& text, std::int64_t& value) {
  const char* end = text.data() + text.size();
  const auto result = std::from_chars(text.data(), end, value);
  return result.ec == std::errc() && result.ptr == end;
}

// Maps label strings to class indices; see ReadTextCsv's contract.
std::map<std::string, std::int64_t> LabelMapping(const std::set<std::string>& distinct,
                                                 std::vector<std::string>& class_names) {
  std::vector<std::pair<std::int64_t, std::string>> numeric;
  for (const std::string& label : distinct) {
    std::int64_t value = 0;
    if (!ParseInteger(label, value)) {
      numeric.clear();
      break;
    }
    numeric.emplace_back(value, label);
  }
  std::map<std::string, std::int64_t> mapping;
  class_names.clear();
  if (!numeric.empty()) {
    std::sort(numeric.begin(), numeric.end());
    // "1" and "01" are one number but two spellings; only a clean 0..K-1 run
    // keeps the numbers themselves.
    bool zero_based = true;
    for (std::size_t i = 0; i < numeric.size(); ++i) {
      if (numeric[i].first != static_cast<std::int64_t>(i)) zero_based = false;
    }
    for (std::size_t i = 0; i < numeric.size(); ++i) {
      mapping[numeric[i].second] = static_cast<std::int64_t>(i);
      class_names.push_back(zero_based ? std::to_string(i) : numeric[i].second);
    }
    return mapping;
  }
  for (const std::string& label : distinct) {  // std::set: sorted by name
    mapping[label] = static_cast<std::int64_t>(class_names.size());
    class_names.push_back(label);
  }
  return mapping;
}

TextSplit ToSplit(CsvRows&& rows, const std::map<std::string, std::int64_t>& mapping) {
  TextSplit split;
  split.texts = std::move(rows.texts);
  for (const std::string& label : rows.labels) split.labels.push_back(mapping.at(label));
  return split;
}

}  // namespace

TextDataset ReadImdb(const std::string& path) {
  const fs::path dir = ResolveImdbDir(path);
  TextDataset dataset;
  dataset.class_names = {"neg", "pos"};
  dataset.has_test_split = true;
  std::vector<std::string> missing;
  std::error_code error;
  for (const char* split : {"train", "test"}) {
    for (const std::string& label : dataset.class_names) {
      if (!fs::is_directory(dir / split / label, error)) {
        missing.push_back(std::string(split) + "/" + label + "/");
      }
    }
  }
  if (!missing.empty()) {
    // Neither aclImdb itself nor its parent: say that rather than list four folders.
    const bool neither = !fs::exists(dir / "train", error) && !fs::exists(dir / "test", error);
    const std::string what = neither ? " holds neither aclImdb/ nor train/ and test/"
                                     : " is missing " + JoinStrings(missing, ", ");
    throw std::runtime_error(
        fmt::format("IMDb folder {}{}; expected aclImdb/{{train,test}}/{{neg,pos}}/*.txt; {}",
                    dir.string(), what, ImdbHowToGet()));
  }
  for (const char* split_name : {"train", "test"}) {
    TextSplit& split = std::string(split_name) == "train" ? dataset.train : dataset.test;
    for (std::size_t label = 0; label < dataset.class_names.size(); ++label) {
      const fs::path class_dir = dir / split_name / dataset.class_names[label];
      const std::vector<fs::path> files = SortedFiles(class_dir, ".txt");
      if (files.empty()) {
        throw std::runtime_error(
            fmt::format("IMDb folder {} holds no .txt reviews (extraction incomplete?); {}",
                        class_dir.string(), ImdbHowToGet()));
      }
      AddFiles(files, static_cast<std::int64_t>(label), /*strip_tags=*/true, split,
               dataset.skipped_empty);
    }
  }
  return dataset;
}

TextDataset ReadTextFolder(const std::string& path) {
  const std::string problem = FolderProblem(path);
  if (!problem.empty()) {
    throw std::runtime_error(fmt::format("text folder {} {}; {}", path, problem, kFolderLayout));
  }
  std::error_code error;
  TextDataset dataset;
  const fs::path root(path);
  if (fs::is_directory(root / "train", error)) {
    if (!fs::is_directory(root / "test", error)) {
      throw std::runtime_error(
          fmt::format("text folder {} has train/ but no test/; {}", path, kFolderLayout));
    }
    dataset.has_test_split = true;
    dataset.class_names = ClassFolders(root / "train");
    for (const std::string& name : SortedSubfolders(root / "test")) {
      if (std::find(dataset.class_names.begin(), dataset.class_names.end(), name) ==
          dataset.class_names.end()) {
        throw std::runtime_error(fmt::format(
            "text folder {}: class '{}' has no folder in train/ (which has {}){}; {}",
            (root / "test" / name).string(), name, JoinStrings(dataset.class_names, ", "),
            DidYouMean(name, dataset.class_names), kFolderLayout));
      }
    }
    ReadClassFolders(root / "train", dataset.class_names, dataset.train, dataset.skipped_empty);
    ReadClassFolders(root / "test", dataset.class_names, dataset.test, dataset.skipped_empty);
  } else {
    dataset.class_names = ClassFolders(root);
    ReadClassFolders(root, dataset.class_names, dataset.train, dataset.skipped_empty);
  }
  if (dataset.train.texts.empty()) {
    throw std::runtime_error(
        fmt::format("text folder {}: every file is empty; no text to train on ({} empty files)",
                    path, dataset.skipped_empty));
  }
  return dataset;
}

TextDataset ReadTextCsv(const std::string& path, const std::string& test_path) {
  TextDataset dataset;
  CsvRows train = ReadCsvRows(path, dataset.skipped_empty);
  CsvRows test;
  if (!test_path.empty()) {
    dataset.has_test_split = true;
    test = ReadCsvRows(test_path, dataset.skipped_empty);
  }
  std::set<std::string> distinct(train.labels.begin(), train.labels.end());
  distinct.insert(test.labels.begin(), test.labels.end());
  if (distinct.empty()) {
    throw std::runtime_error(
        fmt::format("CSV file {}: every text is empty ({} rows); no text to train on", path,
                    dataset.skipped_empty));
  }
  const std::map<std::string, std::int64_t> mapping = LabelMapping(distinct, dataset.class_names);
  dataset.train = ToSplit(std::move(train), mapping);
  dataset.test = ToSplit(std::move(test), mapping);
  return dataset;
}

}  // namespace carbonbench
