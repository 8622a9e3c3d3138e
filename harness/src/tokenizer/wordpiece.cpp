#include "tokenizer/wordpiece.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <utility>

#include <fmt/format.h>

#include "tokenizer/basic_tokenizer.h"
#include "util/regular_file.h"
#include "util/strings.h"

namespace carbonbench {
namespace {

constexpr std::string_view kContinuationPrefix = "##";
constexpr std::string_view kUtf8ByteOrderMark = "\xEF\xBB\xBF";

std::string Quoted(const std::string& token) { return "'" + token + "'"; }

void CheckMaxLength(std::size_t max_length) {
  if (max_length < 2) {
    throw std::invalid_argument(
        fmt::format("max_length must be at least 2 to hold [CLS] and [SEP], got {}", max_length));
  }
}

}  // namespace

WordPieceVocabulary::WordPieceVocabulary(std::vector<std::string> tokens, std::string source)
    : tokens_(std::move(tokens)) {
  if (tokens_.empty()) {
    throw std::runtime_error(
        fmt::format("{} is empty: a WordPiece vocabulary lists one token per line (id = line "
                    "index) and must hold [PAD], [UNK], [CLS] and [SEP]",
                    source));
  }
  ids_.reserve(tokens_.size());
  for (std::size_t i = 0; i < tokens_.size(); ++i) {
    const std::string& token = tokens_[i];
    if (token.find_first_of("\r\n") != std::string::npos) {
      throw std::runtime_error(
          fmt::format("{}: the token with id {} contains a line break, which vocab.txt cannot hold",
                      source, i));
    }
    const auto [it, inserted] = ids_.emplace(token, static_cast<std::int64_t>(i));
    if (!inserted) {
      const auto first = static_cast<std::size_t>(it->second);
      throw std::runtime_error(
          fmt::format("{}: token {} appears on line {} and again on line {} (ids {} and {}); each "
                      "token must appear once, remove the duplicate",
                      source, Quoted(token), first + 1, i + 1, first, i));
    }
    max_piece_bytes_ = std::max(max_piece_bytes_, token.size());
  }
  std::vector<std::string> missing;
  const auto required = [&](std::string_view token) -> std::int64_t {
    const std::optional<std::int64_t> id = Find(token);
    if (!id) missing.emplace_back(token);
    return id.value_or(-1);
  };
  pad_id_ = required(kPadToken);
  unk_id_ = required(kUnknownToken);
  cls_id_ = required(kClassifierToken);
  sep_id_ = required(kSeparatorToken);
  mask_id_ = Find(kMaskToken);
  if (!missing.empty()) {
    throw std::runtime_error(fmt::format(
        "{} lacks the special token{}{}: add one line per missing token (BERT's vocab.txt has them "
        "all), or build a vocabulary from the training texts with BuildVocabulary",
        source, missing.size() > 1 ? "s " : " ", JoinStrings(missing, ", ")));
  }
}

WordPieceVocabulary WordPieceVocabulary::Load(const std::string& path) {
  const std::string source = "vocabulary file " + path;
  std::error_code error;
  if (std::filesystem::is_directory(path, error)) {
    throw std::runtime_error(
        fmt::format("cannot read {}: it is a directory; pass the path of its vocab.txt", source));
  }
  std::string text;
  try {
    text = ReadRegularFile(path, "vocabulary file", kMaxVocabularyFileBytes);
  } catch (const std::runtime_error& error) {
    throw std::runtime_error(
        fmt::format("{} (expected a BERT vocab.txt, one token per line)", error.what()));
  }
  std::istringstream in(text);
  std::vector<std::string> tokens;
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (tokens.empty() && line.compare(0, kUtf8ByteOrderMark.size(), kUtf8ByteOrderMark) == 0) {
      line.erase(0, kUtf8ByteOrderMark.size());
    }
    tokens.push_back(std::move(line));
    line.clear();
  }
  return WordPieceVocabulary(std::move(tokens), source);
}

void WordPieceVocabulary::Save(const std::string& path) const {
  errno = 0;
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) {
    const std::string why = errno != 0 ? std::strerror(errno) : "cannot open";
    throw std::runtime_error(fmt::format("cannot write vocabulary file {}: {}", path, why));
  }
  for (const std::string& token : tokens_) out << token << '\n';
  out.flush();
  if (!out)
    throw std::runtime_error(fmt::format("cannot write vocabulary file {}: write error", path));
}

const std::string& WordPieceVocabulary::Token(std::int64_t id) const {
  if (id < 0 || static_cast<std::size_t>(id) >= tokens_.size()) {
    throw std::out_of_range(
        fmt::format("token id {} is outside the vocabulary (size {})", id, size()));
  }
  return tokens_[static_cast<std::size_t>(id)];
}

std::optional<std::int64_t> WordPieceVocabulary::Find(std::string_view token) const {
  const auto it = ids_.find(std::string(token));
  if (it == ids_.end()) return std::nullopt;
  return it->second;
}

WordPieceTokenizer::WordPieceTokenizer(WordPieceVocabulary vocabulary, TokenizerSettings settings)
    : vocabulary_(std::move(vocabulary)), settings_(settings) {
  for (std::string_view special :
       {kPadToken, kUnknownToken, kClassifierToken, kSeparatorToken, kMaskToken}) {
    if (vocabulary_.Contains(special)) specials_.push_back(special);
  }
}

void WordPieceTokenizer::AppendWordPieces(const std::string& word,
                                          std::vector<std::int64_t>& ids) const {
  // Byte offset of each code point, plus the end: pieces end on these.
  std::vector<std::size_t> offsets;
  offsets.reserve(word.size() + 1);
  for (std::size_t i = 0; i < word.size(); ++i) {
    if ((static_cast<unsigned char>(word[i]) & 0xC0) != 0x80) offsets.push_back(i);
  }
  const std::size_t num_chars = offsets.size();
  offsets.push_back(word.size());
  if (num_chars > settings_.max_input_chars_per_word) {
    ids.push_back(vocabulary_.unk_id());
    return;
  }
  const std::size_t first_new = ids.size();
  std::string candidate;
  std::size_t start = 0;
  while (start < num_chars) {
    std::optional<std::int64_t> match;
    std::size_t end = num_chars;
    for (; end > start; --end) {
      const std::size_t bytes = offsets[end] - offsets[start];
      // No vocabulary entry is longer, so skip the lookups that must fail.
      if (bytes > vocabulary_.max_piece_bytes()) continue;
      candidate.assign(start > 0 ? kContinuationPrefix : std::string_view());
      candidate.append(word, offsets[start], bytes);
      match = vocabulary_.Find(candidate);
      if (match) break;
    }
    if (!match) {
      // BERT gives up on the whole word, not just the unmatched rest.
      ids.resize(first_new);
      ids.push_back(vocabulary_.unk_id());
      return;
    }
    ids.push_back(*match);
    start = end;
  }
}

void WordPieceTokenizer::AppendTextIds(std::string_view text,
                                       std::vector<std::int64_t>& ids) const {
  if (settings_.split_special_tokens) {
    for (const std::string& word : detail::BasicTokenize(text, settings_)) {
      AppendWordPieces(word, ids);
    }
    return;
  }
  // Like Hugging Face's added-token trie: special tokens written in the text
  // are found before normalisation (so "[SEP]" is not lower-cased away).
  for (const detail::TextPiece& piece : detail::SplitOnSpecialTokens(text, specials_)) {
    if (piece.is_special) {
      ids.push_back(*vocabulary_.Find(piece.text));
      continue;
    }
    for (const std::string& word : detail::BasicTokenize(piece.text, settings_, specials_)) {
      AppendWordPieces(word, ids);
    }
  }
}

std::vector<std::int64_t> WordPieceTokenizer::TokenizeToIds(std::string_view text) const {
  std::vector<std::int64_t> ids;
  AppendTextIds(text, ids);
  return ids;
}

std::vector<std::string> WordPieceTokenizer::Tokenize(std::string_view text) const {
  std::vector<std::string> tokens;
  for (std::int64_t id : TokenizeToIds(text)) tokens.push_back(vocabulary_.Token(id));
  return tokens;
}

Encoding WordPieceTokenizer::Encode(std::string_view text, std::size_t max_length) const {
  CheckMaxLength(max_length);
  const std::vector<std::int64_t> pieces = TokenizeToIds(text);
  const std::size_t capacity = max_length - 2;
  const std::size_t kept = std::min(pieces.size(), capacity);
  Encoding encoding;
  encoding.num_truncated_tokens = pieces.size() - kept;
  encoding.input_ids.reserve(max_length);
  encoding.input_ids.push_back(vocabulary_.cls_id());
  encoding.input_ids.insert(encoding.input_ids.end(), pieces.begin(),
                            pieces.begin() + static_cast<std::ptrdiff_t>(kept));
  encoding.input_ids.push_back(vocabulary_.sep_id());
  encoding.attention_mask.assign(encoding.input_ids.size(), 1);
  encoding.input_ids.resize(max_length, vocabulary_.pad_id());
  encoding.attention_mask.resize(max_length, 0);
  return encoding;
}

EncodedBatch WordPieceTokenizer::EncodeBatch(const std::vector<std::string>& texts,
                                             std::size_t max_length) const {
  CheckMaxLength(max_length);
  EncodedBatch batch;
  batch.batch_size = texts.size();
  batch.max_length = max_length;
  batch.input_ids.reserve(texts.size() * max_length);
  batch.attention_mask.reserve(texts.size() * max_length);
  batch.num_truncated_tokens.reserve(texts.size());
  for (const std::string& text : texts) {
    Encoding encoding = Encode(text, max_length);
    batch.input_ids.insert(batch.input_ids.end(), encoding.input_ids.begin(),
                           encoding.input_ids.end());
    batch.attention_mask.insert(batch.attention_mask.end(), encoding.attention_mask.begin(),
                                encoding.attention_mask.end());
    batch.num_truncated_tokens.push_back(encoding.num_truncated_tokens);
  }
  return batch;
}

}  // namespace carbonbench
