// The main() every benchmark here shares: the host's runtime settings first,
// so figures are those a suite run would see.
#include <benchmark/benchmark.h>

#include "runner/environment.h"

int main(int argc, char** argv) {
  // Without it, glibc returns large tensor buffers to the OS every step and
  // page faults dominate.
  carbonbench::ApplyAllocatorTuning();
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  return 0;
}
