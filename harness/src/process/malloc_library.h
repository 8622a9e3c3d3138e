// Which malloc a process runs with, and the LD_PRELOAD that gives a cell's
// process the allocator its suite asks for (setting `allocator`).
//
// The allocator must be chosen before the process starts: once glibc's malloc
// has served the first allocation nothing can take its place. So the host
// picks it for each cell's child through LD_PRELOAD, and the child checks
// what it got.
#pragma once

#include <optional>
#include <string>

namespace carbonbench {

// The file name of the shared object whose malloc this process calls:
// libc's ("libc.so.6"), or an allocator preloaded in front of it
// ("libtcmalloc_minimal.so.4"); empty when it cannot be told.
std::string MallocProvider();

// Whether that file name is glibc's own.
bool IsGlibcMalloc(const std::string& provider);

// Hands the memory malloc holds free back to the OS: tcmalloc's
// MallocExtension_ReleaseFreeMemory, glibc's malloc_trim. Both keep freed
// buffers for reuse, which is what makes training fast, but buffers freed
// once and never needed again (a dataset's decoding) would stay resident.
void ReleaseFreeMemory();

// Whether a preloaded library (a path or file name) replaces malloc:
// tcmalloc, jemalloc or mimalloc.
bool IsMallocReplacement(const std::string& library);

// Debian's tcmalloc (libtcmalloc-minimal4), looked for next to this process's
// libc; empty when it is not installed.
std::string FindTcmalloc();

// The LD_PRELOAD a cell's process starts with when its suite asks for
// `allocator` ("auto", "tcmalloc" or "glibc"), given the host's own
// (`inherited`, "" when unset) and the tcmalloc found ("" when none);
// nullopt to leave the host's as it is.
//  - auto: tcmalloc where installed, unless the host already preloads a
//    malloc replacement, which is then the user's choice and kept;
//  - tcmalloc: tcmalloc in place of any other replacement;
//  - glibc: every replacement taken out, the rest of the list kept.
std::optional<std::string> CellPreload(const std::string& allocator, const std::string& inherited,
                                       const std::string& tcmalloc_path);

// Why a process whose malloc comes from `provider` (as MallocProvider says)
// does not run the `allocator` its cell asks for, with how to fix it; empty
// when it does (auto accepts any).
std::string AllocatorMismatch(const std::string& allocator, const std::string& provider);

}  // namespace carbonbench
