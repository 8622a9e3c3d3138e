// Internals of the WordPiece tokenizer: BERT's BasicTokenizer (cleaning,
// lower-casing, accent stripping, CJK and punctuation splitting) on utf8proc.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "tokenizer/wordpiece.h"

namespace carbonbench::detail {

// The tokens of Hugging Face's BasicTokenizer.tokenize(text), step for step:
// clean text, space out CJK characters, NFC, split on whitespace, then per
// token lower-case (Python's str.lower, with U+0130 and final sigma), strip
// accents (NFD, drop category Mn), split off punctuation. A whitespace-
// separated token equal to one of `never_split` is kept whole (Hugging Face
// passes the special tokens here).
std::vector<std::string> BasicTokenize(std::string_view text, const TokenizerSettings& settings,
                                       const std::vector<std::string_view>& never_split = {});

// BERT's _is_punctuation: ASCII 33-47, 58-64, 91-96, 123-126, or category P*.
bool IsPunctuation(char32_t code_point);
// BERT's _is_chinese_char: the CJK Unified Ideographs blocks (not Hangul,
// Hiragana or Katakana, which BERT treats like any other letters).
bool IsChineseChar(char32_t code_point);

// Code points of valid UTF-8; each invalid byte is dropped.
std::u32string DecodeUtf8(std::string_view text);
void AppendUtf8(char32_t code_point, std::string& out);
std::size_t CountCodePoints(std::string_view utf8);

// Pieces of `text` between exact occurrences of `specials`, in order; a piece
// that is one of the specials has is_special set.
struct TextPiece {
  std::string_view text;
  bool is_special = false;
};
std::vector<TextPiece> SplitOnSpecialTokens(std::string_view text,
                                            const std::vector<std::string_view>& specials);

}  // namespace carbonbench::detail
