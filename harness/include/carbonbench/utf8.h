// UTF-8 validity, for text from outside (files, commands, meters) that ends
// up in JSON or the store: nlohmann refuses to write invalid UTF-8, with an
// exception far from where the text came in.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

namespace carbonbench {

// The length of the well-formed UTF-8 sequence that starts at `pos` (RFC
// 3629: no overlong forms, no surrogates, nothing above U+10FFFF), or 0 when
// the byte there does not start one or the sequence is cut short.
std::size_t Utf8SequenceLength(std::string_view text, std::size_t pos);

// The offset of the first byte that is not part of well-formed UTF-8, or
// nullopt when all of `text` is.
std::optional<std::size_t> FirstInvalidUtf8Byte(std::string_view text);

}  // namespace carbonbench
