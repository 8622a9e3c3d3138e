// A time-series CSV, then what training does with it: gap filling, windows
// and the chronological split.
#include "data/time_series.h"
#include "fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace carbonbench;
  const std::string path = fuzzing::InputFile(fuzzing::AsText(data, size), "series.csv");
  fuzzing::ReadRefusingOnlyWithUserErrors([&] {
    TimeSeries series = ReadTimeSeriesCsv(path);
    FillMissing(series.values);
    const Windows windows = MakeWindows(series.values, /*window=*/3, /*horizon=*/1);
    SplitWindowsChronologically(windows, /*test_fraction=*/0.25);
  });
  return 0;
}
