// The LD_PRELOAD each cell's process starts with, for each `allocator` and
// whatever the host itself was started with, and the check a cell makes of
// the malloc it got.
#include "process/malloc_library.h"

#include <gtest/gtest.h>

namespace carbonbench {
namespace {

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
  EXPECT_EQ(CellPreload("tcmalloc", "libjemalloc.so.2:/opt/libtrace.so", ""),
            "/opt/libtrace.so");
  EXPECT_EQ(CellPreload("tcmalloc", "", ""), std::nullopt);
}

TEST(CellPreload, GlibcTakesOutEveryAllocatorAndNothingElse) {
  EXPECT_EQ(CellPreload("glibc", kTcmalloc + ":/opt/libtrace.so", kTcmalloc),
            "/opt/libtrace.so");
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
  EXPECT_EQ(MallocProvider().rfind("libc.so", 0), 0u) << MallocProvider();
  const std::string found = FindTcmalloc();
  if (!found.empty()) EXPECT_EQ(found.substr(found.rfind('/')), "/libtcmalloc_minimal.so.4");
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
