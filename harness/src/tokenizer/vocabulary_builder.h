// A WordPiece vocabulary built from training texts, for training a text
// model from scratch when no BERT vocab.txt is given.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "tokenizer/wordpiece.h"

namespace carbonbench {

struct VocabularySettings {
  std::size_t max_size = 8000;    // entries in all, specials and characters included
  std::size_t min_frequency = 2;  // occurrences a whole word needs to get its own entry
};

// Ids: [PAD]=0, [UNK]=1, [CLS]=2, [SEP]=3, [MASK]=4; then every character of
// the training words (sorted by code point), then the "##" form of each that
// can continue a word (sorted), then whole words by descending frequency
// (ties by code point order) until max_size. Deterministic for given input.
//
// This is not WordPiece training (which merges pieces by likelihood); it only
// guarantees coverage: tokenised with a WordPieceTokenizer using the same
// `tokenizer_settings`, no word of `texts` becomes [UNK] (except words longer
// than max_input_chars_per_word, which BERT always maps to [UNK]).
//
// Throws std::invalid_argument when max_size cannot hold the specials and all
// characters seen (the message gives the size needed).
WordPieceVocabulary BuildVocabulary(const std::vector<std::string>& texts,
                                    const VocabularySettings& settings = {},
                                    const TokenizerSettings& tokenizer_settings = {});

}  // namespace carbonbench
