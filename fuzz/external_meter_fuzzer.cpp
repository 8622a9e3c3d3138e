// What an external energy source prints (a file's content or a command's
// output) and the unit it is read in.
#include "external/energy_reading.h"
#include "fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace carbonbench;
  const std::string text(fuzzing::AsText(data, size));
  fuzzing::ReadRefusingOnlyWithUserErrors([&] {
    if (const auto reading = external_meter::ParseReading(text)) {
      external_meter::CumulativeJoules joules;
      joules.Reset(0);
      joules.Add(*reading);
    }
    external_meter::JoulesPerUnit(text);
  });
  return 0;
}
