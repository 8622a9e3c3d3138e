// A carbon intensity series CSV (timestamp, g_per_kwh).
#include "energy/intensity_series.h"
#include "fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace carbonbench;
  const std::string path = fuzzing::InputFile(fuzzing::AsText(data, size), "intensity.csv");
  fuzzing::ReadRefusingOnlyWithUserErrors([&] {
    const IntensitySeries series = IntensitySeries::ReadCsv(path);
    series.At(series.first_hour());
  });
  return 0;
}
