// One CIFAR batch file; the first byte picks CIFAR-10 (even) or CIFAR-100 (odd).
#include "data/cifar.h"
#include "fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace carbonbench;
  if (size == 0) return 0;
  const CifarVariant variant = data[0] % 2 ? CifarVariant::kCifar100 : CifarVariant::kCifar10;
  const std::string path =
      fuzzing::InputFile(fuzzing::AsText(data + 1, size - 1), "data_batch_1.bin");
  fuzzing::ReadRefusingOnlyWithUserErrors([&] { ReadCifarBatchFile(path, variant); });
  return 0;
}
