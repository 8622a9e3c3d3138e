#include "text/vocabulary_builder.h"

#include <algorithm>
#include <stdexcept>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "text/wordpiece.h"

namespace carbonbench {
namespace {

using Tokens = std::vector<std::string>;

const Tokens kSpecials = {"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"};

Tokens Concat(std::vector<Tokens> parts) {
  Tokens out;
  for (const Tokens& part : parts) out.insert(out.end(), part.begin(), part.end());
  return out;
}

TEST(BuildVocabulary, LaysOutSpecialsCharactersThenFrequentWords) {
  // Words: the×2 cat×2 sat ran a dog. Single letters come from the
  // characters; "sat", "ran", "dog" are below min_frequency 2.
  const WordPieceVocabulary vocabulary = BuildVocabulary({"The cat sat.", "the CAT ran", "a dog"});
  const Tokens characters = {".", "a", "c", "d", "e", "g", "h", "n", "o", "r", "s", "t"};
  // No "##." : the basic tokenizer always isolates punctuation.
  const Tokens continuations = {"##a", "##c", "##d", "##e", "##g", "##h",
                                "##n", "##o", "##r", "##s", "##t"};
  // Ties in frequency are broken alphabetically.
  EXPECT_EQ(vocabulary.tokens(), Concat({kSpecials, characters, continuations, {"cat", "the"}}));
  EXPECT_EQ(vocabulary.pad_id(), 0);
  EXPECT_EQ(vocabulary.unk_id(), 1);
  EXPECT_EQ(vocabulary.cls_id(), 2);
  EXPECT_EQ(vocabulary.sep_id(), 3);
  EXPECT_EQ(vocabulary.mask_id(), std::optional<std::int64_t>(4));
}

TEST(BuildVocabulary, OrdersWordsByFrequencyAndHonoursMinFrequencyAndMaxSize) {
  const std::vector<std::string> texts = {"bb aa bb cc", "cc bb dd", "aa"};
  // Counts: bb 3, aa 2, cc 2, dd 1. Characters a b c d + "##" forms: 8 + 5 specials.
  VocabularySettings settings;
  settings.min_frequency = 1;
  Tokens tokens = BuildVocabulary(texts, settings).tokens();
  EXPECT_EQ(Tokens(tokens.begin() + 13, tokens.end()), (Tokens{"bb", "aa", "cc", "dd"}));

  settings.min_frequency = 3;
  tokens = BuildVocabulary(texts, settings).tokens();
  EXPECT_EQ(Tokens(tokens.begin() + 13, tokens.end()), (Tokens{"bb"}));

  settings.min_frequency = 1;
  settings.max_size = 15;
  tokens = BuildVocabulary(texts, settings).tokens();
  EXPECT_EQ(tokens.size(), 15u);
  EXPECT_EQ(Tokens(tokens.begin() + 13, tokens.end()), (Tokens{"bb", "aa"}));
}

TEST(BuildVocabulary, RefusesAMaxSizeThatCannotHoldEveryCharacter) {
  VocabularySettings settings;
  settings.max_size = 12;  // needs 5 specials + a b c d + ##a ##b ##c ##d = 13
  try {
    BuildVocabulary({"abcd"}, settings);
    FAIL() << "expected std::invalid_argument";
  } catch (const std::invalid_argument& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find("13"), std::string::npos) << message;
    EXPECT_NE(message.find("max_size"), std::string::npos) << message;
  }
  settings.max_size = 13;
  EXPECT_EQ(BuildVocabulary({"abcd"}, settings).size(), 13u);
  settings.max_size = 4;
  EXPECT_THROW(BuildVocabulary({}, settings), std::invalid_argument);
}

TEST(BuildVocabulary, IsDeterministicWhateverTheTextOrder) {
  std::vector<std::string> texts = {"Héllo, WORLD! The world is wide.",
                                    "Ünïcödé wörds and 中文字符 too",
                                    "don't stop; won't stop",
                                    "the the the end",
                                    "zebra apple mango apple zebra mango",
                                    "ΟΔΟΣ and οδός",
                                    "tab\tseparated\nlines\r\nhere"};
  VocabularySettings settings;
  settings.min_frequency = 1;
  const Tokens first = BuildVocabulary(texts, settings).tokens();
  EXPECT_EQ(BuildVocabulary(texts, settings).tokens(), first);
  std::reverse(texts.begin(), texts.end());
  EXPECT_EQ(BuildVocabulary(texts, settings).tokens(), first);
  std::rotate(texts.begin(), texts.begin() + 3, texts.end());
  EXPECT_EQ(BuildVocabulary(texts, settings).tokens(), first);
}

TEST(BuildVocabulary, TokenizesEveryTrainingWordWithoutUnknown) {
  const std::vector<std::string> texts = {
      "Héllo, WORLD! The world is wide.",
      "Ünïcödé wörds and 中文字符 too; naïve café",
      "don't stop — won't stop…",
      "unaffable affable unaffableness",
      "ΟΔΟΣ and οδός, İstanbul",
      "x1 y22 z333 2×3=6 5€ [SEP] [sep] #hashtag ##notcontinuation",
      "once-only-words appear exactly once here"};
  VocabularySettings settings;
  // Small: the characters need 85 entries, so most words must be built from pieces.
  settings.max_size = 90;
  const WordPieceVocabulary vocabulary = BuildVocabulary(texts, settings);
  ASSERT_EQ(vocabulary.size(), 90u);
  const WordPieceTokenizer tokenizer(vocabulary);
  for (const std::string& text : texts) {
    const std::vector<std::int64_t> ids = tokenizer.TokenizeToIds(text);
    EXPECT_FALSE(ids.empty()) << text;
    EXPECT_EQ(std::count(ids.begin(), ids.end(), vocabulary.unk_id()), 0)
        << text << "\n tokens: " << ::testing::PrintToString(tokenizer.Tokenize(text));
  }
  // An unseen character is still unknown: coverage is of the training texts.
  EXPECT_EQ(tokenizer.Tokenize("qqq"), (Tokens{"[UNK]"}));
}

TEST(BuildVocabulary, CountsWordsAsTheTokenizerWillSeeThem) {
  // Accents are stripped and case folded before counting, and special tokens
  // written in the text are not words.
  VocabularySettings settings;
  settings.min_frequency = 2;
  const Tokens tokens = BuildVocabulary({"Café CAFE cafe\u0301 [SEP] [SEP]"}, settings).tokens();
  EXPECT_EQ(tokens.back(), "cafe");
  EXPECT_EQ(std::count(tokens.begin(), tokens.end(), "[SEP]"), 1);
  EXPECT_EQ(std::count(tokens.begin(), tokens.end(), "sep"), 0);
}

}  // namespace
}  // namespace carbonbench
