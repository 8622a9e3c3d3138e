#!/usr/bin/env bash
# Builds the torch-free libraries and their unit tests with clang under
# AddressSanitizer and UndefinedBehaviorSanitizer (leaks included) and runs
# the tests; any sanitizer report fails the test that triggered it, and so
# the script.
#
#   sanitize.sh [--build-dir DIR] [CTEST_ARGS...]    (e.g. -R store_tests)
#
# The build lives in DIR (default build/fuzz, shared with scripts/fuzz.sh: the
# libraries compile once, with the sanitizers and libFuzzer's coverage
# instrumentation, which costs the tests nothing but time). Exits 77 where
# clang is missing (scripts/install_deps.sh --test installs it).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
build_dir=$root/build/fuzz
if [ "${1:-}" = "--build-dir" ]; then
  build_dir=$2
  shift 2
fi
if ! command -v clang++ >/dev/null; then
  echo "sanitize.sh: clang++ not found: install clang (scripts/install_deps.sh --test)" >&2
  exit 77
fi

# CARBONBENCH_BUILD_FUZZERS compiles everything with
# -fsanitize=address,undefined -fno-sanitize-recover=all (CMakeLists.txt).
CXX=clang++ nice -n 10 cmake -S "$root" -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCARBONBENCH_WITH_TORCH=OFF -DCARBONBENCH_BUILD_TESTS=ON -DCARBONBENCH_BUILD_BENCH=OFF \
  -DCARBONBENCH_BUILD_FUZZERS=ON >/dev/null
nice -n 10 cmake --build "$build_dir" -j2

# halt_on_error and abort: a report ends the test process with a failure
# that CTest sees, rather than a line in a log nobody reads.
export ASAN_OPTIONS=halt_on_error=1:abort_on_error=1:detect_leaks=1:strict_string_checks=1:detect_stack_use_after_return=1
export UBSAN_OPTIONS=halt_on_error=1:abort_on_error=1:print_stacktrace=1
ctest --test-dir "$build_dir" -j2 --output-on-failure "$@"
