// BERT's WordPiece tokenizer, matching Hugging Face's BertTokenizer (its
// BasicTokenizer followed by its WordpieceTokenizer), without torch.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace carbonbench {

// The largest vocab.txt read: BERT's is 226 KiB and multilingual ones about
// 1 MiB; the limit stops a wrong path (/dev/zero) from filling memory.
constexpr std::int64_t kMaxVocabularyFileBytes = std::int64_t{64} << 20;

// The special tokens, spelled as in BERT's vocab.txt.
inline constexpr std::string_view kPadToken = "[PAD]";
inline constexpr std::string_view kUnknownToken = "[UNK]";
inline constexpr std::string_view kClassifierToken = "[CLS]";
inline constexpr std::string_view kSeparatorToken = "[SEP]";
inline constexpr std::string_view kMaskToken = "[MASK]";

// Defaults are those of BERT's uncased base model (do_lower_case=True).
struct TokenizerSettings {
  bool lower_case = true;
  // Like Hugging Face's strip_accents=True: applied whether or not
  // lower_case is set (its default None means "same as lower_case").
  bool strip_accents = true;
  bool tokenize_chinese_chars = true;
  // false (Hugging Face's default): "[SEP]" etc. written in the text become
  // that special token. true: they are split like any other text ("[", "sep",
  // "]"), which is safer for untrusted input.
  bool split_special_tokens = false;
  // Longer words (counted in code points) become [UNK] without segmenting.
  std::size_t max_input_chars_per_word = 100;
};

// Token strings and their ids (id = position). Holds [PAD], [UNK], [CLS] and
// [SEP]; [MASK] is optional. Immutable after construction.
class WordPieceVocabulary {
 public:
  // Validates `tokens`; `source` names where they came from in error messages.
  // Throws std::runtime_error when empty, when a token is duplicated (naming
  // both 1-based lines) or when a required special token is missing.
  explicit WordPieceVocabulary(std::vector<std::string> tokens,
                               std::string source = "in-memory vocabulary");

  // Reads vocab.txt: one token per line, id = 0-based line index ("\r\n" and
  // a leading UTF-8 byte order mark are accepted). Throws std::runtime_error
  // naming the file when it cannot be read or fails validation; a FIFO, a
  // device or a file above kMaxVocabularyFileBytes is refused unread.
  static WordPieceVocabulary Load(const std::string& path);

  // Writes one token per line in id order, so Load gives the same ids back.
  void Save(const std::string& path) const;

  std::size_t size() const { return tokens_.size(); }
  const std::vector<std::string>& tokens() const { return tokens_; }
  // Throws std::out_of_range for an id outside [0, size()).
  const std::string& Token(std::int64_t id) const;
  std::optional<std::int64_t> Find(std::string_view token) const;
  bool Contains(std::string_view token) const { return Find(token).has_value(); }

  std::int64_t pad_id() const { return pad_id_; }
  std::int64_t unk_id() const { return unk_id_; }
  std::int64_t cls_id() const { return cls_id_; }
  std::int64_t sep_id() const { return sep_id_; }
  std::optional<std::int64_t> mask_id() const { return mask_id_; }

  // Longest token in bytes, "##" not counted; bounds the WordPiece search.
  std::size_t max_piece_bytes() const { return max_piece_bytes_; }

 private:
  std::vector<std::string> tokens_;
  std::unordered_map<std::string, std::int64_t> ids_;
  std::int64_t pad_id_ = 0;
  std::int64_t unk_id_ = 0;
  std::int64_t cls_id_ = 0;
  std::int64_t sep_id_ = 0;
  std::optional<std::int64_t> mask_id_;
  std::size_t max_piece_bytes_ = 0;
};

// One text as model input: [CLS] tokens... [SEP] [PAD]..., max_length long.
struct Encoding {
  std::vector<std::int64_t> input_ids;
  std::vector<std::int64_t> attention_mask;  // 1 for real tokens, 0 for [PAD]
  std::size_t num_truncated_tokens = 0;      // word pieces cut off the end
  bool truncated() const { return num_truncated_tokens > 0; }
};

// Row-major [batch_size, max_length] arrays, ready for a kLong tensor.
struct EncodedBatch {
  std::size_t batch_size = 0;
  std::size_t max_length = 0;
  std::vector<std::int64_t> input_ids;
  std::vector<std::int64_t> attention_mask;
  std::vector<std::size_t> num_truncated_tokens;  // one per text
};

// Const methods keep no state between calls, so one tokenizer may be shared
// by several threads.
class WordPieceTokenizer {
 public:
  explicit WordPieceTokenizer(WordPieceVocabulary vocabulary, TokenizerSettings settings = {});

  const WordPieceVocabulary& vocabulary() const { return vocabulary_; }
  const TokenizerSettings& settings() const { return settings_; }

  // Word pieces, e.g. "unaffable" -> {"un", "##aff", "##able"}. Invalid UTF-8
  // bytes are dropped, as U+FFFD is.
  std::vector<std::string> Tokenize(std::string_view text) const;
  std::vector<std::int64_t> TokenizeToIds(std::string_view text) const;

  // Truncates from the end to fit max_length including [CLS] and [SEP], then
  // pads with [PAD]. Throws std::invalid_argument when max_length < 2.
  Encoding Encode(std::string_view text, std::size_t max_length) const;
  EncodedBatch EncodeBatch(const std::vector<std::string>& texts, std::size_t max_length) const;

 private:
  // Appends the pieces of one basic token (a word or punctuation mark).
  void AppendWordPieces(const std::string& word, std::vector<std::int64_t>& ids) const;
  void AppendTextIds(std::string_view text, std::vector<std::int64_t>& ids) const;

  WordPieceVocabulary vocabulary_;
  TokenizerSettings settings_;
  std::vector<std::string_view> specials_;  // those of the vocabulary, found in raw text
};

}  // namespace carbonbench
