// A WordPiece vocab.txt (one token a line).
#include "fuzz_input.h"
#include "tokenizer/wordpiece.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace carbonbench;
  const std::string path = fuzzing::InputFile(fuzzing::AsText(data, size), "vocab.txt");
  fuzzing::ReadRefusingOnlyWithUserErrors([&] {
    const WordPieceTokenizer tokenizer(WordPieceVocabulary::Load(path));
    tokenizer.Encode("Hello, [SEP] unaffable world!", 16);
  });
  return 0;
}
