#include "tokenizer/wordpiece.h"

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "error_message.h"
#include "tokenizer/basic_tokenizer.h"

namespace carbonbench {
namespace {

namespace fs = std::filesystem;
using Tokens = std::vector<std::string>;
using Ids = std::vector<std::int64_t>;

// Ids 0-4 are [PAD] [UNK] [CLS] [SEP] [MASK]; the rest is what the examples need.
const Tokens kTestVocab = {"[PAD]", "[UNK]",  "[CLS]", "[SEP]", "[MASK]",  // 0-4
                           "hello", "world",  ",",     "!",     "cafe",    // 5-9
                           "naive", "don",    "'",     "t",     "un",      // 10-14
                           "##aff", "##able", "我",    "爱",    "nlp",     // 15-19
                           "[",     "]",      "sep",   "a",     "##a",     // 20-24
                           "aff",   "able",   "##un",  "…"};               // 25-28

WordPieceTokenizer MakeTokenizer(TokenizerSettings settings = {}) {
  return WordPieceTokenizer(WordPieceVocabulary(kTestVocab), settings);
}

Tokens Basic(const std::string& text, TokenizerSettings settings = {}) {
  return detail::BasicTokenize(text, settings);
}

using test_support::ExpectErrorContaining;

class TempDir {
 public:
  TempDir() {
    path_ = fs::temp_directory_path() /
            ("wordpiece_test_" + std::to_string(getpid()) + "_" + std::to_string(counter_++));
    fs::create_directories(path_);
  }
  ~TempDir() { fs::remove_all(path_); }
  std::string Write(const std::string& name, const std::string& contents) const {
    const fs::path file = path_ / name;
    std::ofstream(file, std::ios::binary) << contents;
    return file.string();
  }
  std::string Path(const std::string& name) const { return (path_ / name).string(); }

 private:
  static inline int counter_ = 0;
  fs::path path_;
};

// --- Basic tokenizer (normalisation) ---------------------------------------

TEST(BasicTokenizer, LowerCasesStripsAccentsAndSplitsPunctuation) {
  EXPECT_EQ(Basic("Héllo, WORLD!"), (Tokens{"hello", ",", "world", "!"}));
  EXPECT_EQ(Basic("Café naïve"), (Tokens{"cafe", "naive"}));
  // Decomposed input (e + U+0301) gives the same tokens as precomposed.
  EXPECT_EQ(Basic("Cafe\u0301"), (Tokens{"cafe"}));
  EXPECT_EQ(Basic("don't"), (Tokens{"don", "'", "t"}));
}

TEST(BasicTokenizer, KeepsAccentsWhenAskedAndCaseWhenAsked) {
  TokenizerSettings keep_accents;
  keep_accents.strip_accents = false;
  EXPECT_EQ(Basic("Café", keep_accents), (Tokens{"caf\u00e9"}));
  // NFC first, so decomposed input still yields the precomposed é.
  EXPECT_EQ(Basic("Cafe\u0301", keep_accents), (Tokens{"caf\u00e9"}));

  TokenizerSettings cased;
  cased.lower_case = false;
  cased.strip_accents = false;
  EXPECT_EQ(Basic("Héllo WORLD", cased), (Tokens{"H\u00e9llo", "WORLD"}));
}

TEST(BasicTokenizer, FollowsPythonLowerForDottedIAndFinalSigma) {
  EXPECT_EQ(Basic("İstanbul"), (Tokens{"istanbul"}));
  TokenizerSettings keep_accents;
  keep_accents.strip_accents = false;
  // Python: "İ".lower() == "i\u0307" (full case mapping, two code points).
  EXPECT_EQ(Basic("İstanbul", keep_accents), (Tokens{"i\u0307stanbul"}));
  // Word-final capital sigma lowers to ς, elsewhere to σ.
  EXPECT_EQ(Basic("ΟΔΟΣ ΣΑ"), (Tokens{"οδος", "σα"}));
  // The period is case-ignorable, so Σ before it is still final.
  EXPECT_EQ(Basic("Α.Σ."), (Tokens{"α", ".", "ς", "."}));
}

TEST(BasicTokenizer, SpacesOutCjkIdeographsButNotHangulOrKana) {
  EXPECT_EQ(Basic("我爱NLP"), (Tokens{"我", "爱", "nlp"}));
  // Not spaced out, but accent stripping's NFD splits Hangul syllables into
  // jamo (none of category Mn), exactly as BERT uncased does.
  EXPECT_EQ(Basic("한국어 カタカナ"),
            (Tokens{"\u1112\u1161\u11AB\u1100\u116E\u11A8\u110B\u1165", "カタカナ"}));
  TokenizerSettings keep_accents;
  keep_accents.strip_accents = false;
  EXPECT_EQ(Basic("한국어 カタカナ", keep_accents), (Tokens{"한국어", "カタカナ"}));
  TokenizerSettings no_cjk;
  no_cjk.tokenize_chinese_chars = false;
  EXPECT_EQ(Basic("我爱NLP", no_cjk), (Tokens{"我爱nlp"}));
}

TEST(BasicTokenizer, UsesBertsPunctuationDefinition) {
  // ASCII symbols count as punctuation even where Unicode says "symbol".
  EXPECT_EQ(Basic("5$+x^`~"), (Tokens{"5", "$", "+", "x", "^", "`", "~"}));
  // Unicode P* categories: ellipsis (Po), guillemets (Pi, Pf), em dash (Pd).
  EXPECT_EQ(Basic("«hi…there»—ok"), (Tokens{"«", "hi", "…", "there", "»", "—", "ok"}));
  // Non-ASCII symbols (Sm, Sc) are not punctuation and stay inside words.
  EXPECT_EQ(Basic("2×3 5€"), (Tokens{"2×3", "5€"}));
}

TEST(BasicTokenizer, CleansControlCharactersAndWhitespace) {
  EXPECT_EQ(Basic("he\x07llo\tworld\r\nagain"), (Tokens{"hello", "world", "again"}));
  // NUL, U+FFFD, a soft hyphen (Cf), a zero-width space (Cf), private use.
  EXPECT_EQ(Basic(std::string("he\0l", 4) + "l\uFFFDo wo\u00ADr\u200Bl\uE000d"),
            (Tokens{"hello", "world"}));
  // Form feed is a control character to BERT, not whitespace: it is dropped.
  EXPECT_EQ(Basic("hello\x0cworld"), (Tokens{"helloworld"}));
  // No-break space and ideographic space (Zs), line separator (Zl) split.
  EXPECT_EQ(Basic("a\u00A0b\u3000c\u2028d"), (Tokens{"a", "b", "c", "d"}));
  // Invalid UTF-8 bytes are dropped like U+FFFD.
  EXPECT_EQ(Basic("hel\xFFlo \xC3"), (Tokens{"hello"}));
  EXPECT_TRUE(Basic(" \t\n ").empty());
  EXPECT_TRUE(Basic("").empty());
}

TEST(BasicTokenizer, DropsStandaloneCombiningMarks) {
  // A mark with nothing to combine with is its own whitespace token, which
  // accent stripping empties; BERT then drops it.
  EXPECT_EQ(Basic("a \u0301 b"), (Tokens{"a", "b"}));
}

// --- WordPiece ---------------------------------------------------------------

TEST(WordPieceTokenizer, TokenizesTheHandCheckedExamples) {
  const WordPieceTokenizer tokenizer = MakeTokenizer();
  EXPECT_EQ(tokenizer.Tokenize("Héllo, WORLD!"), (Tokens{"hello", ",", "world", "!"}));
  EXPECT_EQ(tokenizer.TokenizeToIds("Héllo, WORLD!"), (Ids{5, 7, 6, 8}));
  EXPECT_EQ(tokenizer.Tokenize("Café naïve"), (Tokens{"cafe", "naive"}));
  EXPECT_EQ(tokenizer.Tokenize("don't"), (Tokens{"don", "'", "t"}));
  EXPECT_EQ(tokenizer.Tokenize("我爱NLP"), (Tokens{"我", "爱", "nlp"}));
}

TEST(WordPieceTokenizer, SplitsGreedilyLongestMatchFirst) {
  const WordPieceTokenizer tokenizer = MakeTokenizer();
  EXPECT_EQ(tokenizer.Tokenize("unaffable"), (Tokens{"un", "##aff", "##able"}));
  EXPECT_EQ(tokenizer.TokenizeToIds("unaffable"), (Ids{14, 15, 16}));
  // "aff" exists as a whole word, but after "un" only "##" forms may follow.
  EXPECT_EQ(tokenizer.Tokenize("unun"), (Tokens{"un", "##un"}));
  EXPECT_EQ(tokenizer.Tokenize("aaa"), (Tokens{"a", "##a", "##a"}));
}

TEST(WordPieceTokenizer, GivesOneUnknownForAWordWithoutSegmentation) {
  const WordPieceTokenizer tokenizer = MakeTokenizer();
  EXPECT_EQ(tokenizer.Tokenize("xyz"), (Tokens{"[UNK]"}));
  // "un" matches, but no "##..." piece covers "xyz": the whole word is lost,
  // not just its tail.
  EXPECT_EQ(tokenizer.Tokenize("hello unxyz world"), (Tokens{"hello", "[UNK]", "world"}));
  EXPECT_EQ(tokenizer.Tokenize("affun"), (Tokens{"aff", "##un"}));
  EXPECT_EQ(tokenizer.Tokenize("ableaff ablex"), (Tokens{"able", "##aff", "[UNK]"}));
}

TEST(WordPieceTokenizer, MapsWordsOverTheLengthLimitToUnknown) {
  const WordPieceTokenizer tokenizer = MakeTokenizer();
  EXPECT_EQ(tokenizer.Tokenize(std::string(100, 'a')).size(), 100u);
  EXPECT_EQ(tokenizer.Tokenize(std::string(101, 'a')), (Tokens{"[UNK]"}));
  TokenizerSettings short_words;
  short_words.max_input_chars_per_word = 3;
  const WordPieceTokenizer strict = MakeTokenizer(short_words);
  EXPECT_EQ(strict.Tokenize("aaa aaaa"), (Tokens{"a", "##a", "##a", "[UNK]"}));
}

TEST(WordPieceTokenizer, KeepsSpecialTokensWrittenInTheText) {
  const WordPieceTokenizer tokenizer = MakeTokenizer();
  EXPECT_EQ(tokenizer.Tokenize("hello [SEP] world"), (Tokens{"hello", "[SEP]", "world"}));
  EXPECT_EQ(tokenizer.Tokenize("hello[SEP]world[MASK]"),
            (Tokens{"hello", "[SEP]", "world", "[MASK]"}));
  // Matching is case-sensitive, as in Hugging Face.
  EXPECT_EQ(tokenizer.Tokenize("[sep]"), (Tokens{"[", "sep", "]"}));

  TokenizerSettings split;
  split.split_special_tokens = true;
  EXPECT_EQ(MakeTokenizer(split).Tokenize("hello [SEP]"), (Tokens{"hello", "[", "sep", "]"}));
}

// --- Encoding ----------------------------------------------------------------

TEST(WordPieceTokenizer, EncodePadsAndMasks) {
  const WordPieceTokenizer tokenizer = MakeTokenizer();
  const Encoding encoding = tokenizer.Encode("Hello!", 6);
  EXPECT_EQ(encoding.input_ids, (Ids{2, 5, 8, 3, 0, 0}));
  EXPECT_EQ(encoding.attention_mask, (Ids{1, 1, 1, 1, 0, 0}));
  EXPECT_EQ(encoding.num_truncated_tokens, 0u);
  EXPECT_FALSE(encoding.truncated());

  const Encoding exact = tokenizer.Encode("Hello!", 4);
  EXPECT_EQ(exact.input_ids, (Ids{2, 5, 8, 3}));
  EXPECT_EQ(exact.attention_mask, (Ids{1, 1, 1, 1}));
  EXPECT_FALSE(exact.truncated());

  const Encoding empty = tokenizer.Encode("", 3);
  EXPECT_EQ(empty.input_ids, (Ids{2, 3, 0}));
  EXPECT_EQ(empty.attention_mask, (Ids{1, 1, 0}));
}

TEST(WordPieceTokenizer, EncodeTruncatesButKeepsClsAndSep) {
  const WordPieceTokenizer tokenizer = MakeTokenizer();
  // Pieces: un ##aff ##able , hello ! (6).
  const Encoding encoding = tokenizer.Encode("unaffable, hello!", 5);
  EXPECT_EQ(encoding.input_ids, (Ids{2, 14, 15, 16, 3}));
  EXPECT_EQ(encoding.attention_mask, (Ids{1, 1, 1, 1, 1}));
  EXPECT_EQ(encoding.num_truncated_tokens, 3u);
  EXPECT_TRUE(encoding.truncated());

  const Encoding only_specials = tokenizer.Encode("hello", 2);
  EXPECT_EQ(only_specials.input_ids, (Ids{2, 3}));
  EXPECT_EQ(only_specials.num_truncated_tokens, 1u);

  EXPECT_THROW(tokenizer.Encode("hello", 1), std::invalid_argument);
  EXPECT_THROW(tokenizer.EncodeBatch({}, 0), std::invalid_argument);
}

TEST(WordPieceTokenizer, EncodeBatchIsRowMajorAndMatchesEncode) {
  const WordPieceTokenizer tokenizer = MakeTokenizer();
  const EncodedBatch batch = tokenizer.EncodeBatch({"hello", "unaffable world", ""}, 4);
  EXPECT_EQ(batch.batch_size, 3u);
  EXPECT_EQ(batch.max_length, 4u);
  EXPECT_EQ(batch.input_ids, (Ids{2, 5, 3, 0,    //
                                  2, 14, 15, 3,  //
                                  2, 3, 0, 0}));
  EXPECT_EQ(batch.attention_mask, (Ids{1, 1, 1, 0,  //
                                       1, 1, 1, 1,  //
                                       1, 1, 0, 0}));
  EXPECT_EQ(batch.num_truncated_tokens, (std::vector<std::size_t>{0, 2, 0}));
}

TEST(WordPieceTokenizer, GivesTheSameResultsFromSeveralThreads) {
  const WordPieceTokenizer tokenizer = MakeTokenizer();
  std::vector<std::string> texts;
  for (int i = 0; i < 200; ++i) {
    texts.push_back("Héllo, WORLD! unaffable 我爱NLP don't " + std::string(i % 7, 'a') +
                    " [SEP] xyz" + std::to_string(i));
  }
  const EncodedBatch expected = tokenizer.EncodeBatch(texts, 24);
  std::vector<EncodedBatch> results(4);
  std::vector<std::thread> threads;
  for (EncodedBatch& result : results) {
    threads.emplace_back([&] { result = tokenizer.EncodeBatch(texts, 24); });
  }
  for (std::thread& thread : threads) thread.join();
  for (const EncodedBatch& result : results) {
    EXPECT_EQ(result.input_ids, expected.input_ids);
    EXPECT_EQ(result.attention_mask, expected.attention_mask);
  }
}

// --- Vocabulary --------------------------------------------------------------

TEST(WordPieceVocabulary, ReportsSpecialIdsAndLooksUpTokens) {
  const WordPieceVocabulary vocabulary(kTestVocab);
  EXPECT_EQ(vocabulary.size(), kTestVocab.size());
  EXPECT_EQ(vocabulary.pad_id(), 0);
  EXPECT_EQ(vocabulary.unk_id(), 1);
  EXPECT_EQ(vocabulary.cls_id(), 2);
  EXPECT_EQ(vocabulary.sep_id(), 3);
  EXPECT_EQ(vocabulary.mask_id(), std::optional<std::int64_t>(4));
  EXPECT_EQ(vocabulary.Find("##aff"), std::optional<std::int64_t>(15));
  EXPECT_EQ(vocabulary.Find("aff##"), std::nullopt);
  EXPECT_EQ(vocabulary.Token(16), "##able");
  EXPECT_THROW(vocabulary.Token(-1), std::out_of_range);
  EXPECT_THROW(vocabulary.Token(static_cast<std::int64_t>(kTestVocab.size())), std::out_of_range);

  const WordPieceVocabulary no_mask({"[CLS]", "[SEP]", "[UNK]", "[PAD]"});
  EXPECT_EQ(no_mask.pad_id(), 3);
  EXPECT_EQ(no_mask.mask_id(), std::nullopt);
}

TEST(WordPieceVocabulary, SavesAndLoadsWithTheSameIds) {
  const TempDir dir;
  const WordPieceVocabulary vocabulary(kTestVocab);
  const std::string path = dir.Path("vocab.txt");
  vocabulary.Save(path);
  const WordPieceVocabulary loaded = WordPieceVocabulary::Load(path);
  EXPECT_EQ(loaded.tokens(), kTestVocab);
  EXPECT_EQ(loaded.Find("我"), std::optional<std::int64_t>(17));
}

TEST(WordPieceVocabulary, LoadsCrLfLinesAndAByteOrderMark) {
  const TempDir dir;
  const std::string path =
      dir.Write("vocab.txt", "\xEF\xBB\xBF[PAD]\r\n[UNK]\r\n[CLS]\r\n[SEP]\r\nhello\r\n");
  const WordPieceVocabulary vocabulary = WordPieceVocabulary::Load(path);
  EXPECT_EQ(vocabulary.tokens(), (Tokens{"[PAD]", "[UNK]", "[CLS]", "[SEP]", "hello"}));
  EXPECT_EQ(vocabulary.pad_id(), 0);
}

TEST(WordPieceVocabulary, NamesTheFileWhenMissingOrEmpty) {
  const TempDir dir;
  const std::string missing = dir.Path("no_such_vocab.txt");
  ExpectErrorContaining([&] { WordPieceVocabulary::Load(missing); }, {missing, "No such file"});
  const std::string empty = dir.Write("empty.txt", "");
  ExpectErrorContaining([&] { WordPieceVocabulary::Load(empty); }, {empty, "is empty"});
  ExpectErrorContaining([&] { WordPieceVocabulary::Load(dir.Path("")); }, {"directory"});
}

TEST(WordPieceVocabulary, RefusesAFifoWithoutWaitingForAWriter) {
  const TempDir dir;
  const std::string path = dir.Path("vocab.txt");
  ASSERT_EQ(::mkfifo(path.c_str(), 0600), 0);
  // An ifstream would wait here forever for a writer.
  ExpectErrorContaining([&] { WordPieceVocabulary::Load(path); },
                        {"vocabulary file " + path, "is a FIFO, not a regular file"});
}

TEST(WordPieceVocabulary, RefusesALinkToDevZeroWithoutReadingIt) {
  const TempDir dir;
  const std::string path = dir.Path("vocab.txt");
  fs::create_symlink("/dev/zero", path);
  ExpectErrorContaining([&] { WordPieceVocabulary::Load(path); },
                        {"vocabulary file " + path, "is a character device, not a regular file"});
}

TEST(WordPieceVocabulary, RefusesAFileAboveTheLimit) {
  const TempDir dir;
  const std::string path = dir.Path("vocab.txt");
  {
    std::ofstream out(path, std::ios::binary);
    out << "[PAD]\n[UNK]\n[CLS]\n[SEP]\n";
    out.seekp(kMaxVocabularyFileBytes);
    out.put('\n');  // sparse: one byte over the limit without writing 64 MiB
  }
  ExpectErrorContaining([&] { WordPieceVocabulary::Load(path); },
                        {"vocabulary file " + path, "64 MiB", "limit"});
}

TEST(WordPieceVocabulary, NamesTheMissingSpecialTokens) {
  const TempDir dir;
  const std::string path = dir.Write("vocab.txt", "[PAD]\n[CLS]\n[SEP]\nhello\n");
  ExpectErrorContaining([&] { WordPieceVocabulary::Load(path); }, {path, "[UNK]"});
  const std::string two = dir.Write("two.txt", "[PAD]\n[CLS]\nhello\n");
  ExpectErrorContaining([&] { WordPieceVocabulary::Load(two); }, {"[UNK], [SEP]"});
}

TEST(WordPieceVocabulary, NamesBothLinesOfADuplicateToken) {
  const TempDir dir;
  const std::string path =
      dir.Write("vocab.txt", "[PAD]\n[UNK]\n[CLS]\n[SEP]\nhello\nworld\nhello\n");
  ExpectErrorContaining([&] { WordPieceVocabulary::Load(path); },
                        {path, "'hello'", "line 5", "line 7"});
}

TEST(WordPieceVocabulary, RejectsTokensThatSaveCouldNotWrite) {
  EXPECT_THROW(WordPieceVocabulary({"[PAD]", "[UNK]", "[CLS]", "[SEP]", "a\nb"}),
               std::runtime_error);
}

}  // namespace
}  // namespace carbonbench
