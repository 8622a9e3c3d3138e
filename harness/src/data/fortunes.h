// Debian's `fortunes` package: one file per category, entries separated by
// lines holding only "%" (the strfile format, read as text; the .dat index
// and .u8 links beside each file are ignored).
#pragma once

#include <string>
#include <vector>

#include "data/text_folder.h"

namespace carbonbench {

inline constexpr const char* kDefaultFortunesDir = "/usr/share/games/fortunes";

// The category files in `dir`, sorted (companion .dat / .u8 files and hidden
// files left out). Throws if `dir` does not exist, saying how to install it.
std::vector<std::string> ListFortuneCategories(const std::string& dir);

// Reads the entries of each category: train.labels[i] is the index in
// `categories` of the file entry i came from, class_names = categories, no
// test split. Entries are trimmed of surrounding whitespace and made valid
// UTF-8 (bytes that are not UTF-8 are read as Latin-1); empty entries are
// skipped and counted in skipped_empty. Throws naming an unknown category and
// listing the available ones, or a category with no entries.
TextDataset ReadFortunes(const std::string& dir, const std::vector<std::string>& categories);

namespace detail {

// The trimmed entries of one fortune file's text; `empty` counts the ones
// that were empty after trimming.
std::vector<std::string> SplitFortunes(const std::string& text, std::int64_t& empty);

}  // namespace detail
}  // namespace carbonbench
