// What the host's runtime settings record about the process they ran in.
#include "runner/environment.h"

#include <cstdlib>

#include <gtest/gtest.h>

namespace carbonbench {
namespace {

TEST(Environment, RecordsGlibcMallocWithTheThresholdsItSet) {
  ::unsetenv("CARBONBENCH_MALLOC_TUNING");
  ::unsetenv("GLIBC_TUNABLES");
  ApplyAllocatorTuning();
  EXPECT_EQ(AllocatorDescription(),
            "glibc malloc, mmap_threshold=268435456 trim_threshold=268435456 (raised by "
            "carbonbench)");
  EXPECT_EQ(DescribeEnvironment(1, "cpu").allocator, AllocatorDescription());
}

}  // namespace
}  // namespace carbonbench
