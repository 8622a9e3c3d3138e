// Bounds on the shape of a suite's YAML, checked before anything reads it: a
// suite is a few levels deep and a few hundred values long, so text far past
// that is a mistake or an attack (a billion-laughs alias bomb, an alias that
// contains itself), refused with where and why instead of exhausting the
// stack, the memory or the user's patience.
#pragma once

#include <cstddef>

#include <yaml-cpp/yaml.h>

#include "suites/suite_errors.h"

namespace carbonbench::detail {

// Deepest nesting of mappings and lists; the deepest real suite is 4.
inline constexpr int kMaxYamlDepth = 64;
// Values, keys and collections in the document, each alias counted as a copy
// of the node it names (so a bomb counts as what it expands to).
inline constexpr std::size_t kMaxYamlNodes = 100000;
// Bytes of suite text read; a suite file is a few kilobytes.
inline constexpr std::size_t kMaxSuiteTextBytes = 16 << 20;

// Records at most one error (the first limit crossed, with its place) and
// returns false when the document is past a limit.
bool CheckYamlShape(const YAML::Node& root, ErrorList& errors);

}  // namespace carbonbench::detail
