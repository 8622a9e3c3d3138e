#include "suites/matrix.h"

#include <limits>

#include "util/strings.h"

namespace carbonbench::detail {
namespace {

std::vector<Combination> CrossProduct(const MatrixSpec& matrix) {
  std::vector<Combination> combinations = {Combination{{}, matrix.loc}};
  for (const auto& axis : matrix.axes) {
    std::vector<Combination> next;
    for (const auto& partial : combinations) {
      for (const auto& value : axis.values) {
        Combination extended = partial;
        extended.values[axis.key] = value;
        next.push_back(std::move(extended));
      }
    }
    combinations = std::move(next);
  }
  return combinations;
}

bool Matches(const Combination& combination, const MatrixEntry& entry) {
  for (const auto& [key, wanted] : entry.values) {
    const auto it = combination.values.find(key);
    if (it == combination.values.end() || !(it->second.value == wanted.value)) return false;
  }
  return true;
}

bool IsAxis(const MatrixSpec& matrix, const std::string& key) {
  for (const auto& axis : matrix.axes)
    if (axis.key == key) return true;
  return false;
}

std::vector<std::string> AxisKeys(const MatrixSpec& matrix) {
  std::vector<std::string> keys;
  for (const auto& axis : matrix.axes) keys.push_back(axis.key);
  return keys;
}

// GitHub rejects exclude keys that are not axes: each such key is reported.
bool ExcludeKeysAreAxes(const MatrixSpec& matrix, const MatrixEntry& entry, ErrorList& errors) {
  bool keys_ok = true;
  for (const auto& [key, value] : entry.values) {
    if (IsAxis(matrix, key)) continue;
    const std::string axes = matrix.axes.empty() ? "the matrix has no axes"
                                                 : "axes: " + JoinStrings(AxisKeys(matrix), ", ");
    errors.Add(value.key_loc, "exclude key '" + key +
                                  "' is not a matrix axis, so it can never match (" + axes + ")");
    keys_ok = false;
  }
  return keys_ok;
}

// An exclude entry matching nothing is as surely a typo as a key that is not
// an axis, so both are reported rather than ignored.
void CheckExcludes(const MatrixSpec& matrix, const std::vector<Combination>& all,
                   ErrorList& errors) {
  for (const auto& entry : matrix.exclude) {
    if (!ExcludeKeysAreAxes(matrix, entry, errors)) continue;
    bool matched = false;
    for (const auto& combination : all) matched |= Matches(combination, entry);
    if (!matched) {
      errors.Add(entry.loc,
                 "this exclude entry matches no combination; its "
                 "values must be among the axes' values");
    }
  }
}

std::vector<Combination> WithoutExcluded(std::vector<Combination> all, const MatrixSpec& matrix) {
  std::vector<Combination> kept;
  for (auto& combination : all) {
    bool excluded = false;
    for (const auto& entry : matrix.exclude) excluded |= Matches(combination, entry);
    if (!excluded) kept.push_back(std::move(combination));
  }
  return kept;
}

// Only axis values are protected: keys an earlier include added may change.
bool CanMerge(const MatrixSpec& matrix, const Combination& combination, const MatrixEntry& entry) {
  for (const auto& [key, value] : entry.values) {
    if (!IsAxis(matrix, key)) continue;
    if (!(combination.values.at(key).value == value.value)) return false;
  }
  return true;
}

void ApplyIncludes(const MatrixSpec& matrix, std::vector<Combination>* combinations) {
  // Combinations an include creates are not merge targets for later includes
  // (GitHub's documented fruit/animal example relies on this).
  const std::size_t original_count = combinations->size();
  for (const auto& entry : matrix.include) {
    bool merged = false;
    for (std::size_t i = 0; i < original_count; ++i) {
      Combination& combination = (*combinations)[i];
      if (!CanMerge(matrix, combination, entry)) continue;
      for (const auto& [key, value] : entry.values) combination.values[key] = value;
      merged = true;
    }
    if (!merged) combinations->push_back(Combination{entry.values, entry.loc});
  }
}

}  // namespace

std::uint64_t CountCombinations(const MatrixSpec& matrix) {
  if (!matrix.present) return 1;
  constexpr std::uint64_t kMax = std::numeric_limits<std::uint64_t>::max();
  // As ExpandMatrix: an include-only matrix has no cross-product of its own.
  std::uint64_t product = matrix.axes.empty() && !matrix.include.empty() ? 0 : 1;
  for (const auto& axis : matrix.axes) {
    const std::uint64_t size = axis.values.size();
    product = size != 0 && product > kMax / size ? kMax : product * size;
  }
  const std::uint64_t includes = matrix.include.size();
  return product > kMax - includes ? kMax : product + includes;
}

std::string CombinationCountText(const MatrixSpec& matrix) {
  std::vector<std::string> sizes;
  for (const auto& axis : matrix.axes) sizes.push_back(std::to_string(axis.values.size()));
  std::string text = JoinStrings(sizes, " x ");
  if (!matrix.include.empty()) {
    text += (text.empty() ? "" : " + ") + std::to_string(matrix.include.size()) + " include " +
            (matrix.include.size() == 1 ? "entry" : "entries");
  }
  return text;
}

std::vector<Combination> ExpandMatrix(const MatrixSpec& matrix, ErrorList& errors) {
  if (!matrix.present) return {Combination{}};
  // With no axes the product is one empty combination, but GitHub runs an
  // include-only matrix as one job per entry; keep that reading.
  std::vector<Combination> all;
  if (!matrix.axes.empty() || matrix.include.empty()) all = CrossProduct(matrix);
  CheckExcludes(matrix, all, errors);
  std::vector<Combination> combinations = WithoutExcluded(std::move(all), matrix);
  ApplyIncludes(matrix, &combinations);
  if (combinations.empty()) {
    errors.Add(matrix.loc,
               "the matrix has no combinations left after "
               "'exclude'; remove an exclude entry or add an "
               "include");
  }
  return combinations;
}

namespace {

bool IsExcluded(const MatrixSpec& matrix, const Combination& combination) {
  for (const auto& entry : matrix.exclude)
    if (Matches(combination, entry)) return true;
  return false;
}

// The cross-product holds every combination of axis values, so an entry
// whose keys are all axes matches one exactly when each of its values is
// among its axis's values.
bool MatchesSomeCombination(const MatrixSpec& matrix, const MatrixEntry& entry) {
  for (const auto& [key, wanted] : entry.values) {
    bool found = false;
    for (const auto& axis : matrix.axes) {
      if (axis.key != key) continue;
      for (const auto& value : axis.values) found |= value.value == wanted.value;
    }
    if (!found) return false;
  }
  return true;
}

// CheckExcludes without the combinations.
void CheckExcludesLazily(const MatrixSpec& matrix, bool has_cross_product, ErrorList& errors) {
  for (const auto& entry : matrix.exclude) {
    if (!ExcludeKeysAreAxes(matrix, entry, errors)) continue;
    if (!has_cross_product || !MatchesSomeCombination(matrix, entry)) {
      errors.Add(entry.loc,
                 "this exclude entry matches no combination; its "
                 "values must be among the axes' values");
    }
  }
}

}  // namespace

MatrixCombinations::MatrixCombinations(MatrixSpec matrix, ErrorList& errors)
    : matrix_(std::move(matrix)) {
  if (!matrix_.present) {
    product_ = 1;
    ids_ = {0};
    return;
  }
  // The cap was checked before, so the product fits.
  const bool has_cross_product = !matrix_.axes.empty() || matrix_.include.empty();
  product_ = has_cross_product ? 1 : 0;
  for (const auto& axis : matrix_.axes) product_ *= axis.values.size();
  CheckExcludesLazily(matrix_, has_cross_product, errors);
  std::vector<bool> merged(matrix_.include.size(), false);
  for (std::uint64_t id = 0; id < product_; ++id) {
    const Combination combination{CrossProductValues(id), matrix_.loc};
    if (IsExcluded(matrix_, combination)) continue;
    ids_.push_back(id);
    for (std::size_t e = 0; e < matrix_.include.size(); ++e)
      if (!merged[e]) merged[e] = CanMerge(matrix_, combination, matrix_.include[e]);
  }
  for (std::size_t e = 0; e < matrix_.include.size(); ++e)
    if (!merged[e]) ids_.push_back(product_ + e);
  if (ids_.empty()) {
    errors.Add(matrix_.loc,
               "the matrix has no combinations left after "
               "'exclude'; remove an exclude entry or add an "
               "include");
  }
}

SettingMap MatrixCombinations::CrossProductValues(std::uint64_t id) const {
  SettingMap values;
  for (auto axis = matrix_.axes.rbegin(); axis != matrix_.axes.rend(); ++axis) {
    const std::uint64_t size = axis->values.size();
    values[axis->key] = axis->values[id % size];
    id /= size;
  }
  return values;
}

Combination MatrixCombinations::At(std::size_t position) const {
  const std::uint64_t id = ids_.at(position);
  if (!matrix_.present) return Combination{};
  if (id >= product_) {
    const MatrixEntry& entry = matrix_.include[id - product_];
    return Combination{entry.values, entry.loc};
  }
  // Includes only merge where they keep every axis value, and axis values
  // alone decide where they merge: applying them here, to one combination,
  // gives what ApplyIncludes gives the whole list.
  Combination combination{CrossProductValues(id), matrix_.loc};
  for (const auto& entry : matrix_.include) {
    if (!CanMerge(matrix_, combination, entry)) continue;
    for (const auto& [key, value] : entry.values) combination.values[key] = value;
  }
  return combination;
}

std::set<std::string> MatrixKeys(const MatrixSpec& matrix) {
  std::set<std::string> keys;
  for (const auto& axis : matrix.axes) keys.insert(axis.key);
  for (const auto& entry : matrix.include)
    for (const auto& [key, value] : entry.values) keys.insert(key);
  return keys;
}

}  // namespace carbonbench::detail
