// A Hugging Face config.json as the bert plugin reads it.
#include "bert/bert_config.h"
#include "fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace carbonbench;
  fuzzing::ReadRefusingOnlyWithUserErrors(
      [&] { models::ParsePretrainedConfig("config.json", fuzzing::AsText(data, size)); });
  return 0;
}
