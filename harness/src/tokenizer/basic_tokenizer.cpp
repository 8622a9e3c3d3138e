#include "tokenizer/basic_tokenizer.h"

#include <utf8proc.h>

#include <algorithm>
#include <cstdlib>
#include <iterator>
#include <memory>
#include <stdexcept>

#include <fmt/format.h>

namespace carbonbench::detail {
namespace {

constexpr char32_t kReplacementChar = 0xFFFD;
constexpr char32_t kCapitalDottedI = 0x0130;
constexpr char32_t kCapitalSigma = 0x03A3;
constexpr char32_t kSmallSigma = 0x03C3;
constexpr char32_t kFinalSigma = 0x03C2;
constexpr char32_t kCombiningDotAbove = 0x0307;

utf8proc_category_t Category(char32_t code_point) {
  return utf8proc_category(static_cast<utf8proc_int32_t>(code_point));
}

// BERT's _is_control: category C* except tab, newline and carriage return
// (which it treats as whitespace). Includes format (Cf), private use (Co)
// and unassigned (Cn) code points, which BERT drops as well.
bool IsControl(char32_t c) {
  if (c == '\t' || c == '\n' || c == '\r') return false;
  switch (Category(c)) {
    case UTF8PROC_CATEGORY_CC:
    case UTF8PROC_CATEGORY_CF:
    case UTF8PROC_CATEGORY_CS:
    case UTF8PROC_CATEGORY_CO:
    case UTF8PROC_CATEGORY_CN:
      return true;
    default:
      return false;
  }
}

// BERT's _is_whitespace, applied while cleaning.
bool IsWhitespace(char32_t c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || Category(c) == UTF8PROC_CATEGORY_ZS;
}

// What Python's str.split() still splits on after cleaning: the space that
// cleaning wrote, plus the line and paragraph separators (Zl, Zp), which
// are neither control nor Zs and so survive cleaning unchanged.
bool IsSplitSpace(char32_t c) {
  if (c == ' ') return true;
  const utf8proc_category_t category = Category(c);
  return category == UTF8PROC_CATEGORY_ZL || category == UTF8PROC_CATEGORY_ZP;
}

// Unicode's Case_Ignorable, used by Python's final-sigma rule: Mn, Me, Cf,
// Lm, Sk, and the Word_Break classes MidLetter, MidNumLet and Single_Quote.
bool IsCaseIgnorable(char32_t c) {
  switch (Category(c)) {
    case UTF8PROC_CATEGORY_MN:
    case UTF8PROC_CATEGORY_ME:
    case UTF8PROC_CATEGORY_CF:
    case UTF8PROC_CATEGORY_LM:
    case UTF8PROC_CATEGORY_SK:
      return true;
    default:
      break;
  }
  static constexpr char32_t kWordBreakMids[] = {0x0027, 0x002E, 0x003A, 0x00B7, 0x0387, 0x055F,
                                                0x05F4, 0x2018, 0x2019, 0x2024, 0x2027, 0xFE13,
                                                0xFE52, 0xFE55, 0xFF07, 0xFF0E, 0xFF1A};
  return std::find(std::begin(kWordBreakMids), std::end(kWordBreakMids), c) !=
         std::end(kWordBreakMids);
}

// Unicode's Cased (Lowercase | Uppercase | Lt). utf8proc has no property
// bits for Other_Lowercase / Other_Uppercase, so letters with a case
// mapping stand in for them, plus the main ranges of those without one.
bool IsCased(char32_t c) {
  switch (Category(c)) {
    case UTF8PROC_CATEGORY_LU:
    case UTF8PROC_CATEGORY_LL:
    case UTF8PROC_CATEGORY_LT:
      return true;
    default:
      break;
  }
  const auto code = static_cast<utf8proc_int32_t>(c);
  if (utf8proc_tolower(code) != code || utf8proc_toupper(code) != code) return true;
  struct Range {
    char32_t first, last;
  };
  static constexpr Range kOtherCased[] = {
      {0x00AA, 0x00AA},  {0x00BA, 0x00BA}, {0x02B0, 0x02B8}, {0x02C0, 0x02C1},   {0x02E0, 0x02E4},
      {0x0345, 0x0345},  {0x037A, 0x037A}, {0x1D2C, 0x1D6A}, {0x1D78, 0x1D78},   {0x1D9B, 0x1DBF},
      {0x2071, 0x2071},  {0x207F, 0x207F}, {0x2090, 0x209C}, {0x2C7C, 0x2C7D},   {0xA69C, 0xA69D},
      {0xA770, 0xA770},  {0xA7F8, 0xA7F9}, {0xAB5C, 0xAB5F}, {0x1F130, 0x1F149}, {0x1F150, 0x1F169},
      {0x1F170, 0x1F189}};
  for (const Range& range : kOtherCased) {
    if (c >= range.first && c <= range.last) return true;
  }
  return false;
}

// Python's handle_capital_sigma: U+03A3 lowers to final sigma when a cased
// letter precedes it and none follows (case-ignorables skipped both ways).
char32_t LowerSigma(const std::u32string& word, std::size_t i) {
  std::size_t j = i;
  while (j > 0 && IsCaseIgnorable(word[j - 1])) --j;
  if (j == 0 || !IsCased(word[j - 1])) return kSmallSigma;
  j = i + 1;
  while (j < word.size() && IsCaseIgnorable(word[j])) ++j;
  return j == word.size() || !IsCased(word[j]) ? kFinalSigma : kSmallSigma;
}

// Python's str.lower(): the simple mappings plus its two context-free
// special cases (U+0130 and final sigma); the Lithuanian/Turkish rules are
// locale-dependent and Python does not apply them either.
std::u32string PythonLower(const std::u32string& word) {
  std::u32string out;
  out.reserve(word.size());
  for (std::size_t i = 0; i < word.size(); ++i) {
    const char32_t c = word[i];
    if (c < 0x80) {
      out.push_back(c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c);
    } else if (c == kCapitalDottedI) {
      out.push_back('i');
      out.push_back(kCombiningDotAbove);
    } else if (c == kCapitalSigma) {
      out.push_back(LowerSigma(word, i));
    } else {
      out.push_back(static_cast<char32_t>(utf8proc_tolower(static_cast<utf8proc_int32_t>(c))));
    }
  }
  return out;
}

bool IsAscii(const std::u32string& text) {
  return std::all_of(text.begin(), text.end(), [](char32_t c) { return c < 0x80; });
}

std::string EncodeUtf8(const std::u32string& text) {
  std::string out;
  out.reserve(text.size());
  for (char32_t c : text) AppendUtf8(c, out);
  return out;
}

// utf8proc_map on valid UTF-8 (NFC or NFD, by `options`).
std::string Utf8procMap(const std::string& text, int options) {
  utf8proc_uint8_t* mapped = nullptr;
  const utf8proc_ssize_t length = utf8proc_map(
      reinterpret_cast<const utf8proc_uint8_t*>(text.data()),
      static_cast<utf8proc_ssize_t>(text.size()), &mapped, static_cast<utf8proc_option_t>(options));
  const std::unique_ptr<utf8proc_uint8_t, decltype(&std::free)> owner(mapped, &std::free);
  if (length < 0) {
    // Only reachable on out-of-memory: the input was re-encoded by us.
    throw std::runtime_error(
        fmt::format("Unicode normalisation failed: {}", utf8proc_errmsg(length)));
  }
  return std::string(reinterpret_cast<const char*>(mapped), static_cast<std::size_t>(length));
}

// BERT's _run_strip_accents: NFD, then drop nonspacing marks (Mn).
std::u32string StripAccents(const std::u32string& word) {
  if (IsAscii(word)) return word;
  const std::u32string decomposed =
      DecodeUtf8(Utf8procMap(EncodeUtf8(word), UTF8PROC_STABLE | UTF8PROC_DECOMPOSE));
  std::u32string out;
  out.reserve(decomposed.size());
  for (char32_t c : decomposed) {
    if (Category(c) != UTF8PROC_CATEGORY_MN) out.push_back(c);
  }
  return out;
}

// BERT's _run_split_on_punc: each punctuation character becomes a token.
void SplitOnPunctuation(const std::u32string& word, std::vector<std::string>& tokens) {
  std::string current;
  for (char32_t c : word) {
    if (IsPunctuation(c)) {
      if (!current.empty()) tokens.push_back(std::move(current));
      current.clear();
      std::string mark;
      AppendUtf8(c, mark);
      tokens.push_back(std::move(mark));
    } else {
      AppendUtf8(c, current);
    }
  }
  if (!current.empty()) tokens.push_back(std::move(current));
}

// _clean_text and _tokenize_chinese_chars in one pass, then NFC as in
// Hugging Face's BasicTokenizer (which normalises before splitting so that
// composed and decomposed spellings give the same tokens).
std::string CleanText(std::string_view text, const TokenizerSettings& settings) {
  std::string out;
  out.reserve(text.size());
  bool ascii = true;
  for (char32_t c : DecodeUtf8(text)) {
    if (c == 0 || c == kReplacementChar || IsControl(c)) continue;
    if (IsWhitespace(c)) {
      out.push_back(' ');
    } else if (settings.tokenize_chinese_chars && IsChineseChar(c)) {
      out.push_back(' ');
      AppendUtf8(c, out);
      out.push_back(' ');
      ascii = false;
    } else {
      AppendUtf8(c, out);
      ascii = ascii && c < 0x80;
    }
  }
  if (ascii) return out;  // ASCII is already in NFC
  return Utf8procMap(out, UTF8PROC_STABLE | UTF8PROC_COMPOSE);
}

}  // namespace

bool IsPunctuation(char32_t c) {
  if ((c >= 33 && c <= 47) || (c >= 58 && c <= 64) || (c >= 91 && c <= 96) ||
      (c >= 123 && c <= 126)) {
    return true;
  }
  const utf8proc_category_t category = Category(c);
  return category >= UTF8PROC_CATEGORY_PC && category <= UTF8PROC_CATEGORY_PO;
}

bool IsChineseChar(char32_t c) {
  return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) ||
         (c >= 0x20000 && c <= 0x2A6DF) || (c >= 0x2A700 && c <= 0x2B73F) ||
         (c >= 0x2B740 && c <= 0x2B81F) || (c >= 0x2B820 && c <= 0x2CEAF) ||
         (c >= 0xF900 && c <= 0xFAFF) || (c >= 0x2F800 && c <= 0x2FA1F);
}

std::u32string DecodeUtf8(std::string_view text) {
  std::u32string out;
  out.reserve(text.size());
  const auto* bytes = reinterpret_cast<const utf8proc_uint8_t*>(text.data());
  utf8proc_ssize_t remaining = static_cast<utf8proc_ssize_t>(text.size());
  while (remaining > 0) {
    if (*bytes < 0x80) {  // fast path for ASCII
      out.push_back(*bytes);
      ++bytes;
      --remaining;
      continue;
    }
    utf8proc_int32_t code_point = 0;
    const utf8proc_ssize_t length = utf8proc_iterate(bytes, remaining, &code_point);
    if (length <= 0) {
      // Python would have refused to decode such bytes, or replaced them
      // with U+FFFD, which BERT drops: dropping the byte does the same.
      ++bytes;
      --remaining;
      continue;
    }
    out.push_back(static_cast<char32_t>(code_point));
    bytes += length;
    remaining -= length;
  }
  return out;
}

void AppendUtf8(char32_t code_point, std::string& out) {
  if (code_point < 0x80) {
    out.push_back(static_cast<char>(code_point));
    return;
  }
  utf8proc_uint8_t buffer[4];
  const utf8proc_ssize_t length =
      utf8proc_encode_char(static_cast<utf8proc_int32_t>(code_point), buffer);
  out.append(reinterpret_cast<const char*>(buffer), static_cast<std::size_t>(length));
}

std::size_t CountCodePoints(std::string_view utf8) {
  // Every code point has exactly one byte that is not a continuation byte.
  return static_cast<std::size_t>(
      std::count_if(utf8.begin(), utf8.end(), [](char byte) { return (byte & 0xC0) != 0x80; }));
}

std::vector<std::string> BasicTokenize(std::string_view text, const TokenizerSettings& settings,
                                       const std::vector<std::string_view>& never_split) {
  const std::string cleaned = CleanText(text, settings);
  std::vector<std::string> tokens;
  std::u32string word;
  const auto flush_word = [&] {
    if (word.empty()) return;
    const std::string utf8 = EncodeUtf8(word);
    if (std::find(never_split.begin(), never_split.end(), utf8) != never_split.end()) {
      tokens.push_back(utf8);
    } else {
      if (settings.lower_case) word = PythonLower(word);
      if (settings.strip_accents) word = StripAccents(word);
      SplitOnPunctuation(word, tokens);
    }
    word.clear();
  };
  for (char32_t c : DecodeUtf8(cleaned)) {
    if (IsSplitSpace(c)) {
      flush_word();
    } else {
      word.push_back(c);
    }
  }
  flush_word();
  return tokens;
}

std::vector<TextPiece> SplitOnSpecialTokens(std::string_view text,
                                            const std::vector<std::string_view>& specials) {
  std::vector<TextPiece> pieces;
  std::size_t position = 0;
  while (position < text.size()) {
    std::size_t best_at = std::string_view::npos;
    std::size_t best_length = 0;
    for (std::string_view special : specials) {
      if (special.empty()) continue;
      const std::size_t at = text.find(special, position);
      if (at < best_at ||
          (at == best_at && at != std::string_view::npos && special.size() > best_length)) {
        best_at = at;
        best_length = special.size();
      }
    }
    if (best_at == std::string_view::npos) break;
    if (best_at > position) pieces.push_back({text.substr(position, best_at - position), false});
    pieces.push_back({text.substr(best_at, best_length), true});
    position = best_at + best_length;
  }
  if (position < text.size()) pieces.push_back({text.substr(position), false});
  return pieces;
}

}  // namespace carbonbench::detail
