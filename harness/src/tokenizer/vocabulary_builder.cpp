#include "tokenizer/vocabulary_builder.h"

#include <algorithm>
#include <set>
#include <stdexcept>
#include <string_view>
#include <unordered_map>
#include <utility>

#include <fmt/format.h>

#include "tokenizer/basic_tokenizer.h"

namespace carbonbench {
namespace {

using WordCounts = std::unordered_map<std::string, std::size_t>;

// The words a WordPieceTokenizer with `settings` would segment: the same
// special-token handling, then the basic tokenizer.
void CountWords(std::string_view text, const TokenizerSettings& settings, WordCounts& counts) {
  static const std::vector<std::string_view> kSpecials = {
      kPadToken, kUnknownToken, kClassifierToken, kSeparatorToken, kMaskToken};
  const auto count = [&](std::string_view piece, const std::vector<std::string_view>& keep) {
    for (std::string& word : detail::BasicTokenize(piece, settings, keep)) {
      // Special tokens map to themselves, not to word pieces.
      if (std::find(keep.begin(), keep.end(), word) != keep.end()) continue;
      ++counts[std::move(word)];
    }
  };
  if (settings.split_special_tokens) {
    count(text, {});
    return;
  }
  for (const detail::TextPiece& piece : detail::SplitOnSpecialTokens(text, kSpecials)) {
    if (!piece.is_special) count(piece.text, kSpecials);
  }
}

// Whether a character can follow another inside one basic token; the basic
// tokenizer always isolates punctuation (and CJK characters when it spaces
// them out), so "##" forms of those could never be used.
bool CanContinueWord(char32_t c, const TokenizerSettings& settings) {
  if (detail::IsPunctuation(c)) return false;
  return !(settings.tokenize_chinese_chars && detail::IsChineseChar(c));
}

}  // namespace

WordPieceVocabulary BuildVocabulary(const std::vector<std::string>& texts,
                                    const VocabularySettings& settings,
                                    const TokenizerSettings& tokenizer_settings) {
  std::vector<std::string> tokens = {std::string(kPadToken), std::string(kUnknownToken),
                                     std::string(kClassifierToken), std::string(kSeparatorToken),
                                     std::string(kMaskToken)};
  const std::size_t num_specials = tokens.size();
  if (settings.max_size < num_specials) {
    throw std::invalid_argument(fmt::format(
        "vocabulary max_size {} cannot hold the {} special tokens; use a larger max_size",
        settings.max_size, num_specials));
  }

  WordCounts counts;
  for (const std::string& text : texts) CountWords(text, tokenizer_settings, counts);

  // std::set keeps code-point order, which is also the byte order of the
  // UTF-8 spellings, so the result does not depend on hash order.
  std::set<char32_t> characters;
  std::vector<std::pair<std::string, std::size_t>> words;
  for (const auto& [word, count] : counts) {
    const std::u32string code_points = detail::DecodeUtf8(word);
    // BERT maps such words to [UNK] whatever the vocabulary holds.
    if (code_points.size() > tokenizer_settings.max_input_chars_per_word) continue;
    characters.insert(code_points.begin(), code_points.end());
    if (code_points.size() > 1 && count >= std::max<std::size_t>(settings.min_frequency, 1)) {
      words.emplace_back(word, count);
    }
  }

  std::vector<std::string> continuations;
  for (char32_t c : characters) {
    std::string token;
    detail::AppendUtf8(c, token);
    if (CanContinueWord(c, tokenizer_settings)) continuations.push_back("##" + token);
    tokens.push_back(std::move(token));
  }
  tokens.insert(tokens.end(), continuations.begin(), continuations.end());
  if (tokens.size() > settings.max_size) {
    throw std::invalid_argument(
        fmt::format("vocabulary max_size {} is too small for the {} distinct characters of the "
                    "training texts: the specials, the characters and their '##' forms need {} "
                    "entries (plus some for whole words); raise max_size",
                    settings.max_size, characters.size(), tokens.size()));
  }

  std::sort(words.begin(), words.end(), [](const auto& a, const auto& b) {
    return a.second != b.second ? a.second > b.second : a.first < b.first;
  });
  const std::size_t room = settings.max_size - tokens.size();
  for (std::size_t i = 0; i < words.size() && i < room; ++i) {
    tokens.push_back(std::move(words[i].first));
  }
  return WordPieceVocabulary(std::move(tokens), "vocabulary built from the training texts");
}

}  // namespace carbonbench
