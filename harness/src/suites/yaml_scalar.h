// How a suite reads a YAML scalar: YAML 1.2 core-schema style, so "NO" stays
// a string (a region code) rather than becoming false as in YAML 1.1.
#pragma once

#include <yaml-cpp/yaml.h>

#include "carbonbench/params.h"

namespace carbonbench::detail {

// True for '...' / "..." / !!str scalars: the writer asked for a string.
bool IsQuoted(const YAML::Node& scalar);

// true/false -> bool, integer text -> int64, decimal or exponent text (and
// .inf/.nan) -> double, anything else or anything quoted -> string.
ParamValue ParseScalar(const YAML::Node& scalar);

// The same rules applied to bare text (no quoting information).
ParamValue ParseScalarText(const std::string& text);

}  // namespace carbonbench::detail
