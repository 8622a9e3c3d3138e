#!/usr/bin/env bash
# Builds the libFuzzer targets (fuzz/) with clang and runs each in turn.
#
#   fuzz.sh [--time SECONDS] [--runs N] [--jobs N] [--build-dir DIR] [TARGET...]
#
# TARGET is a fuzzer's name without "_fuzzer" (idx, suite_reader, ...); all of
# them by default. Each runs SECONDS (default 60) or N inputs, starting from
# the corpus it grew before (DIR/corpus/TARGET) and the seeds made from the
# repository's fixtures (fuzz/make_seeds.py). Prints, per target, the inputs
# executed and the coverage reached; an input that crashes, hangs, leaks or
# trips a sanitizer is saved as DIR/crashes/TARGET-* and fails the script.
# Exits 77 where clang or libFuzzer is missing (scripts/install_deps.sh --test).
# DIR (default build/fuzz) is shared with scripts/sanitize.sh: run one at a time.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

seconds=60
runs=""
jobs=1
build_dir=$root/build/fuzz
targets=()
while [ $# -gt 0 ]; do
  case "$1" in
    --time) seconds=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --jobs) jobs=$2; shift 2 ;;
    --build-dir) build_dir=$2; shift 2 ;;
    -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
    -*) echo "fuzz.sh: unknown option '$1' (see fuzz.sh --help)" >&2; exit 2 ;;
    *) targets+=("$1"); shift ;;
  esac
done

if ! command -v clang++ >/dev/null; then
  echo "fuzz.sh: clang++ not found: install clang and libfuzzer-14-dev (scripts/install_deps.sh --test)" >&2
  exit 77
fi
probe=$(mktemp -d)
trap 'rm -rf "$probe"' EXIT
echo 'extern "C" int LLVMFuzzerTestOneInput(const char*, unsigned long) { return 0; }' >"$probe/probe.cpp"
if ! clang++ -fsanitize=fuzzer "$probe/probe.cpp" -o "$probe/probe" 2>/dev/null; then
  echo "fuzz.sh: clang++ cannot link libFuzzer: install libfuzzer-14-dev (scripts/install_deps.sh --test)" >&2
  exit 77
fi

if [ ${#targets[@]} -eq 0 ]; then
  for source in fuzz/*_fuzzer.cpp; do
    name=$(basename "$source" _fuzzer.cpp)
    targets+=("$name")
  done
fi
for name in "${targets[@]}"; do
  if [ ! -f "fuzz/${name}_fuzzer.cpp" ]; then
    echo "fuzz.sh: no fuzzer '$name' (fuzz/${name}_fuzzer.cpp does not exist)" >&2
    exit 2
  fi
done

# The same configuration as scripts/sanitize.sh, which shares this build.
CXX=clang++ nice -n 10 cmake -S "$root" -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCARBONBENCH_WITH_TORCH=OFF -DCARBONBENCH_BUILD_TESTS=ON -DCARBONBENCH_BUILD_BENCH=OFF \
  -DCARBONBENCH_BUILD_FUZZERS=ON >/dev/null
nice -n 10 cmake --build "$build_dir" -j2 --target "${targets[@]/%/_fuzzer}"
/usr/bin/python3 fuzz/make_seeds.py "$build_dir/seeds"

limit=(-max_total_time="$seconds")
[ -n "$runs" ] && limit=(-runs="$runs")
mkdir -p "$build_dir/crashes" "$build_dir/logs"
# Runs one target; prints its line, and returns 1 on a finding.
run_target() {
  local name=$1
  local corpus=$build_dir/corpus/$name
  local seeds=$build_dir/seeds/$name
  mkdir -p "$corpus" "$seeds"
  local log=$build_dir/logs/$name.log
  local status=0
  # -timeout: an input taking 10 s is a hang; -rss_limit_mb: a reader that
  # allocates what a short input never justifies.
  "$build_dir/fuzz/${name}_fuzzer" "${limit[@]}" -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 -artifact_prefix="$build_dir/crashes/$name-" "$corpus" "$seeds" \
    >"$log" 2>&1 || status=$?
  local executed coverage
  executed=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  coverage=$(grep -o 'cov: [0-9]* ft: [0-9]*' "$log" | tail -1)
  if [ "$status" -eq 0 ]; then
    printf '%-20s clean: %s inputs executed, %s\n' "$name" "${executed:-?}" "${coverage:-cov: ?}"
  else
    printf '%-20s FAILED (exit %s) after %s inputs, %s: see %s\n' "$name" "$status" \
      "${executed:-?}" "${coverage:-cov: ?}" "$log"
    grep -m5 -E 'ERROR|runtime error|unexpected exception|Test unit written' "$log" | sed 's/^/    /' || true
    return 1
  fi
}

# Waits for the oldest running target (so lines come in the order given)
# and prints its line.
finish_first() {
  local pid=${running[0]%%:*} name=${running[0]#*:}
  running=("${running[@]:1}")
  wait "$pid" || failed+=("$name")
  cat "$build_dir/logs/$name.line"
}

failed=()
running=()
for name in "${targets[@]}"; do
  run_target "$name" >"$build_dir/logs/$name.line" &
  running+=("$!:$name")
  while [ ${#running[@]} -ge "$jobs" ]; do
    finish_first
  done
done
while [ ${#running[@]} -gt 0 ]; do
  finish_first
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz.sh: ${#failed[@]} target(s) found a problem: ${failed[*]}" >&2
  exit 1
fi
