// UTF-8 validity, checked where text from outside ends up in JSON (nlohmann
// refuses to write invalid UTF-8, with an exception far from the input).
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

namespace carbonbench {

// The offset of the first byte that does not begin or continue a valid
// UTF-8 sequence (overlong forms, surrogates and code points above U+10FFFF
// are invalid), or nullopt when all of `text` is valid.
std::optional<std::size_t> FirstInvalidUtf8Byte(std::string_view text);

}  // namespace carbonbench
