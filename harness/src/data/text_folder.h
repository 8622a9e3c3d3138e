// Labelled text datasets on disk: IMDb's aclImdb folder, a generic
// one-folder-per-class layout, and a CSV with `text` and `label` columns.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace carbonbench {

struct TextSplit {
  std::vector<std::string> texts;    // valid UTF-8
  std::vector<std::int64_t> labels;  // index into the dataset's class_names
};

struct TextDataset {
  TextSplit train;  // everything when has_test_split is false (the caller splits)
  TextSplit test;   // empty when has_test_split is false
  std::vector<std::string> class_names;
  bool has_test_split = false;
  // Files or rows skipped because their text was empty (or only whitespace),
  // so the caller can report them rather than train on nothing.
  std::int64_t skipped_empty = 0;
};

// IMDb reviews (https://ai.stanford.edu/~amaas/data/sentiment/): `path` is the
// aclImdb folder or its parent. Reads {train,test}/{neg,pos}/*.txt in sorted
// file-name order (unsup/ is ignored); classes {"neg", "pos"}; the "<br />"
// line breaks in the reviews become spaces.
TextDataset ReadImdb(const std::string& path);

// One subfolder per class holding text files, either split
// (`path`/train/<class>/*, `path`/test/<class>/*) or not (`path`/<class>/*).
// Classes are the train (or only) split's folders, sorted by name; a test
// folder naming another class is an error. Files are read in sorted name
// order; hidden files (".*") are skipped.
TextDataset ReadTextFolder(const std::string& path);

// A CSV file with a header holding a `text` and a `label` column (any order,
// any case; other columns ignored), RFC 4180 quoting. Labels that are all
// integers 0..K-1 are kept as numbers (class names "0".."K-1"); otherwise the
// distinct labels, sorted (numerically when all are integers, else by name),
// become the classes. With `test_path` the two files share one label mapping
// and has_test_split is true.
TextDataset ReadTextCsv(const std::string& path, const std::string& test_path = "");

}  // namespace carbonbench
