// A safetensors file's header: the 8-byte length and the JSON it frames,
// checked against the file's size.
#include <sstream>

#include "carbonbench/safetensors_layout.h"
#include "fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace carbonbench;
  std::istringstream in(std::string(fuzzing::AsText(data, size)));
  fuzzing::ReadRefusingOnlyWithUserErrors(
      [&] { ReadSafetensorsLayout("model.safetensors", in, size); });
  return 0;
}
