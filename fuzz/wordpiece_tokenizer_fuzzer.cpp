// Any text through the tokenizer, with each combination of its settings.
#include "fuzz_input.h"
#include "tokenizer/wordpiece.h"

namespace {

carbonbench::WordPieceVocabulary Vocabulary() {
  return carbonbench::WordPieceVocabulary(
      {"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "un", "##aff", "##able", "hello", "world", ",",
       "!", "a", "##b", "##c", "\xe4\xb8\xad", "caf\xc3\xa9", "cafe", "##s"});
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace carbonbench;
  if (size == 0) return 0;
  TokenizerSettings settings;
  settings.lower_case = data[0] & 1;
  settings.strip_accents = data[0] & 2;
  settings.tokenize_chinese_chars = data[0] & 4;
  settings.split_special_tokens = data[0] & 8;
  settings.max_input_chars_per_word = 1 + (data[0] >> 4) * 8;
  const std::string_view text = fuzzing::AsText(data + 1, size - 1);
  static const WordPieceVocabulary vocabulary = Vocabulary();
  fuzzing::ReadRefusingOnlyWithUserErrors([&] {
    const WordPieceTokenizer tokenizer(vocabulary, settings);
    tokenizer.Tokenize(text);
    tokenizer.EncodeBatch({std::string(text), ""}, 2 + size % 64);
  });
  return 0;
}
