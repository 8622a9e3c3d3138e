// A labelled text CSV (`text` and `label` columns).
#include "data/text_folder.h"
#include "fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace carbonbench;
  const std::string path = fuzzing::InputFile(fuzzing::AsText(data, size), "reviews.csv");
  fuzzing::ReadRefusingOnlyWithUserErrors([&] { ReadTextCsv(path); });
  return 0;
}
