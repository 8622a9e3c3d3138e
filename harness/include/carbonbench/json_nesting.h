// How deeply JSON text nests, checked before it is parsed: nlohmann's parser
// takes any depth, but copying, comparing or printing the document recurses
// once per level, so a file nested a few hundred thousand levels deep
// overflows the stack. Files carbonbench and its plugins read (safetensors
// headers, Hugging Face config.json) nest three or four levels.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

namespace carbonbench {

// Deeper than any file carbonbench reads, far below what overflows a stack.
inline constexpr std::size_t kJsonNestingLimit = 64;

// The 1-based line where `json` opens an array or object nested more than
// `max_depth` levels deep, or nullopt when it never does. Brackets inside
// strings do not count; the text need not be valid JSON.
std::optional<std::size_t> LineNestedDeeperThan(std::string_view json, std::size_t max_depth);

}  // namespace carbonbench
