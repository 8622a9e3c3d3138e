// The LD_PRELOAD each cell's process starts with, for each `allocator` and
// whatever the host itself was started with, and the check a cell makes of
// the malloc it got.
#include "process/malloc_library.h"

#include <malloc.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <vector>

#include <gtest/gtest.h>

namespace carbonbench {
namespace {

// AddressSanitizer replaces malloc (scripts/sanitize.sh): glibc's allocator,
// which these tests examine, is not the one running.
#if defined(__SANITIZE_ADDRESS__)
constexpr bool kGlibcMallocRuns = false;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr bool kGlibcMallocRuns = false;
#else
constexpr bool kGlibcMallocRuns = true;
#endif
#else
constexpr bool kGlibcMallocRuns = true;
#endif

const std::string kTcmalloc = "/usr/lib/x86_64-linux-gnu/libtcmalloc_minimal.so.4";

TEST(CellPreload, AutoPreloadsTcmallocWhereInstalledAndKeepsTheHostsOtherLibraries) {
  EXPECT_EQ(CellPreload("auto", "", kTcmalloc), kTcmalloc);
  EXPECT_EQ(CellPreload("auto", "/opt/libtrace.so", kTcmalloc), kTcmalloc + ":/opt/libtrace.so");
  EXPECT_EQ(CellPreload("auto", "", ""), std::nullopt);
}

TEST(CellPreload, AutoKeepsAnAllocatorTheHostWasStartedWith) {
  EXPECT_EQ(CellPreload("auto", "/usr/lib/x86_64-linux-gnu/libjemalloc.so.2", kTcmalloc),
            std::nullopt);
  EXPECT_EQ(CellPreload("auto", kTcmalloc, kTcmalloc), std::nullopt);
}

TEST(CellPreload, TcmallocTakesThePlaceOfAnyOtherAllocator) {
  EXPECT_EQ(CellPreload("tcmalloc", "libjemalloc.so.2 /opt/libtrace.so", kTcmalloc),
            kTcmalloc + ":/opt/libtrace.so");
  // Not installed: nothing in its place, so the cell's own check says so.
  EXPECT_EQ(CellPreload("tcmalloc", "libjemalloc.so.2:/opt/libtrace.so", ""), "/opt/libtrace.so");
  EXPECT_EQ(CellPreload("tcmalloc", "", ""), std::nullopt);
}

TEST(CellPreload, GlibcTakesOutEveryAllocatorAndNothingElse) {
  EXPECT_EQ(CellPreload("glibc", kTcmalloc + ":/opt/libtrace.so", kTcmalloc), "/opt/libtrace.so");
  EXPECT_EQ(CellPreload("glibc", "libmimalloc.so.2", kTcmalloc), "");
  EXPECT_EQ(CellPreload("glibc", "/opt/libtrace.so", kTcmalloc), std::nullopt);
  EXPECT_EQ(CellPreload("glibc", "", kTcmalloc), std::nullopt);
}

TEST(MallocLibrary, TellsAllocatorsFromOtherLibraries) {
  EXPECT_TRUE(IsMallocReplacement(kTcmalloc));
  EXPECT_TRUE(IsMallocReplacement("libjemalloc.so.2"));
  EXPECT_FALSE(IsMallocReplacement("/usr/lib/x86_64-linux-gnu/libc.so.6"));
  EXPECT_FALSE(IsMallocReplacement("/opt/tcmalloc_tools/libtrace.so"));
}

TEST(MallocLibrary, ThisTestRunsGlibcsMallocAndFindsTcmallocOnlyNextToLibc) {
  if (!kGlibcMallocRuns) GTEST_SKIP() << "AddressSanitizer's allocator runs here";
  EXPECT_EQ(MallocProvider().rfind("libc.so", 0), 0u) << MallocProvider();
  const std::string found = FindTcmalloc();
  if (!found.empty()) EXPECT_EQ(found.substr(found.rfind('/')), "/libtcmalloc_minimal.so.4");
}

double ResidentMb() {
  std::ifstream statm("/proc/self/statm");
  long pages = 0, resident = 0;
  statm >> pages >> resident;
  return static_cast<double>(resident) * static_cast<double>(sysconf(_SC_PAGESIZE)) / 1048576.0;
}

TEST(MallocLibrary, ReleasingFreeMemoryHandsBackWhatTheAllocatorKept) {
  if (!kGlibcMallocRuns) GTEST_SKIP() << "AddressSanitizer's allocator runs here";
  // As under carbonbench's thresholds: glibc keeps what is freed.
  ASSERT_EQ(mallopt(M_TRIM_THRESHOLD, 1 << 30), 1);
  std::vector<char*> blocks(16 * 1024);  // 64 MiB in 4 KiB blocks, far below the mmap threshold
  for (char*& block : blocks) {
    block = static_cast<char*>(std::malloc(4096));
    std::memset(block, 1, 4096);
  }
  const double held_mb = ResidentMb();
  for (char* block : blocks) std::free(block);
  EXPECT_GT(ResidentMb(), held_mb - 16) << "glibc returned the blocks by itself";
  ReleaseFreeMemory();
  EXPECT_LT(ResidentMb(), held_mb - 48);
  mallopt(M_TRIM_THRESHOLD, 128 * 1024);
}

TEST(AllocatorMismatch, NamesWhatWasAskedForWhatRunsAndWhatToInstall) {
  EXPECT_EQ(AllocatorMismatch("tcmalloc", "libtcmalloc_minimal.so.4"), "");
  EXPECT_EQ(AllocatorMismatch("glibc", "libc.so.6"), "");
  EXPECT_EQ(AllocatorMismatch("auto", "libjemalloc.so.2"), "");
  const std::string missing = AllocatorMismatch("tcmalloc", "libc.so.6");
  EXPECT_NE(missing.find("allocator: tcmalloc"), std::string::npos) << missing;
  EXPECT_NE(missing.find("libc.so.6"), std::string::npos) << missing;
  EXPECT_NE(missing.find("libtcmalloc-minimal4"), std::string::npos) << missing;
  EXPECT_NE(AllocatorMismatch("glibc", "libtcmalloc_minimal.so.4").find("allocator: glibc"),
            std::string::npos);
}

}  // namespace
}  // namespace carbonbench
