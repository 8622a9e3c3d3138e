// A results store given to `merge`: the input is the SQLite file, merged
// alone into a fresh output.
#include "fuzz_input.h"
#include "store/store_merge.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace carbonbench;
  const std::filesystem::path dir = fuzzing::FreshDir();
  const std::string input = (dir / "input.db").string();
  fuzzing::WriteFile(input, fuzzing::AsText(data, size));
  fuzzing::ReadRefusingOnlyWithUserErrors(
      [&] { MergeStores({input}, (dir / "merged.db").string()); });
  return 0;
}
