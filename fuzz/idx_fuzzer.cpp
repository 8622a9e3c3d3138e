// IDX files (MNIST's format), plain or gzip-compressed.
#include "data/idx.h"
#include "fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace carbonbench;
  const std::string path = fuzzing::InputFile(fuzzing::AsText(data, size), "images-idx3-ubyte");
  fuzzing::ReadRefusingOnlyWithUserErrors([&] { ReadIdxFile(path); });
  return 0;
}
