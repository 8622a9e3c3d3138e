// The build tag: what must match between host and plugin beyond the ABI
// version for C++ objects to cross the boundary safely (compiler family and
// major version, the libstdc++ string ABI, the torch version).
#pragma once

#define CARBONBENCH_DETAIL_STR2(x) #x
#define CARBONBENCH_DETAIL_STR(x) CARBONBENCH_DETAIL_STR2(x)

// A build without libtorch (the fuzzers', the sanitizers') loads no plugins;
// its tag matches no plugin's.
#if defined(CARBONBENCH_WITHOUT_TORCH)
#define CARBONBENCH_TORCH_TAG "none"
#else
#include <torch/version.h>
#define CARBONBENCH_TORCH_TAG \
  CARBONBENCH_DETAIL_STR(TORCH_VERSION_MAJOR) "." CARBONBENCH_DETAIL_STR(TORCH_VERSION_MINOR)
#endif

#if defined(__clang__)
#define CARBONBENCH_COMPILER "clang-" CARBONBENCH_DETAIL_STR(__clang_major__)
#elif defined(__GNUC__)
#define CARBONBENCH_COMPILER "gcc-" CARBONBENCH_DETAIL_STR(__GNUC__)
#else
#define CARBONBENCH_COMPILER "unknown-compiler"
#endif

#if defined(_GLIBCXX_USE_CXX11_ABI)
#define CARBONBENCH_CXX11_ABI CARBONBENCH_DETAIL_STR(_GLIBCXX_USE_CXX11_ABI)
#else
#define CARBONBENCH_CXX11_ABI "n/a"
#endif

#define CARBONBENCH_BUILD_TAG \
  CARBONBENCH_COMPILER " cxx11abi=" CARBONBENCH_CXX11_ABI " torch=" CARBONBENCH_TORCH_TAG
