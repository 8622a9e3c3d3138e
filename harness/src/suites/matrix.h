// Matrix expansion with GitHub Actions' semantics, so a suite's matrix reads
// the way CI users already know:
//   1. the cross-product of the axes, first axis outermost;
//   2. 'exclude' drops every combination matching all of an entry's values;
//   3. each 'include' entry is merged into every combination where it does
//      not overwrite an axis value (values added by earlier includes may be
//      overwritten); if it fits none, it becomes a combination of its own.
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "suites/suite_document.h"
#include "suites/suite_errors.h"

namespace carbonbench::detail {

struct Combination {
  SettingMap values;
  Loc origin;  // where it came from: the matrix, or its include entry
};

// How many cells a matrix can make, known without building any: the product
// of the axes' sizes (before 'exclude') plus one per 'include' entry, which
// adds at most one. Saturates at UINT64_MAX rather than wrapping.
std::uint64_t CountCombinations(const MatrixSpec& matrix);

// "20 x 20 x 5" for the axes (and "+ 2 include entries"), for messages.
std::string CombinationCountText(const MatrixSpec& matrix);

// No matrix gives one empty combination (the defaults alone). Reports exclude
// entries that can never match and a matrix left without combinations.
// Holds every combination at once: the reference MatrixCombinations follows.
std::vector<Combination> ExpandMatrix(const MatrixSpec& matrix, ErrorList& errors);

// ExpandMatrix's combinations, in its order and with its errors, made one at a
// time: each is held as its position in the cross-product (or its include
// entry), 8 bytes however many settings it has, so a matrix of a million
// cells costs megabytes rather than gigabytes.
class MatrixCombinations {
 public:
  MatrixCombinations(MatrixSpec matrix, ErrorList& errors);
  std::size_t size() const { return ids_.size(); }
  Combination At(std::size_t position) const;

 private:
  // Ids below product_ are positions in the cross-product (last axis
  // fastest); the others are product_ + an include entry's index.
  SettingMap CrossProductValues(std::uint64_t id) const;

  MatrixSpec matrix_;
  std::uint64_t product_ = 0;
  std::vector<std::uint64_t> ids_;
};

// The keys the matrix sets anywhere (axes and include entries): the ones a
// cell name may need to tell cells apart.
std::set<std::string> MatrixKeys(const MatrixSpec& matrix);

}  // namespace carbonbench::detail
