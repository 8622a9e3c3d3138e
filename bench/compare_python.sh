#!/usr/bin/env bash
# carbonbench against the Python loop it replaces: for every case, dtype and
# mode, the Python reference (bench/reference/torch_reference.py) once as users
# run it (glibc's malloc at its default thresholds) and once with the
# allocator carbonbench's cells run with (tcmalloc preloaded, or with -a glibc
# the thresholds carbonbench's host sets through mallopt), then carbonbench's
# own loops under that same allocator, collected as JSON Lines; then the table
# of ratios between them.
#
#   bench/compare_python.sh [-c CASES] [-d DTYPES] [-m MODES] [-s SECONDS] [-r RUNS] [-t THREADS] [-a ALLOCATOR] [OUTPUT]
#
#   -c  cases, space-separated      (env CASES;   default: cnn resnet18 mobilenet_v2 bert_tiny)
#   -d  dtypes                      (env DTYPES;  default: fp32 bf16)
#   -m  modes                       (env MODES;   default: train infer1 infer64)
#   -s  seconds measured per run    (env RUN_SECONDS; default: 10)
#   -r  runs of each side per case, interleaved; the table takes their median
#                                   (env RUNS; default: 1)
#   -t  torch threads               (env THREADS; default: every usable core)
#   -a  tcmalloc or glibc: the allocator of carbonbench and of tuned Python, as
#       a suite's `allocator` setting (env ALLOCATOR; default: tcmalloc where
#       installed, else glibc, as `allocator: auto` does)
#   OUTPUT  the JSONL file, replaced (default: bench/results/python.jsonl)
#
# e.g. a quick look at one case: bench/compare_python.sh -c cnn -d fp32 -s 2 /tmp/cnn.jsonl
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
python=/usr/bin/python3  # Debian's interpreter: the one that sees python3-torch
# What ApplyAllocatorTuning() sets with mallopt (harness/src/runner/environment.cpp).
tuned_tunables="glibc.malloc.mmap_threshold=268435456:glibc.malloc.trim_threshold=268435456"

cases="${CASES:-cnn resnet18 mobilenet_v2 bert_tiny}"
dtypes="${DTYPES:-fp32 bf16}"
modes="${MODES:-train infer1 infer64}"
seconds="${RUN_SECONDS:-10}"  # not SECONDS: bash keeps its own clock in that name
runs="${RUNS:-1}"
threads="${THREADS:-$(nproc)}"
# Debian's libtcmalloc-minimal4, as carbonbench's host finds it for its cells.
source "$here/find_library.sh"
tcmalloc="$(find_library libtcmalloc_minimal.so.4)"
allocator="${ALLOCATOR:-$([[ -n $tcmalloc ]] && echo tcmalloc || echo glibc)}"

usage() { sed -n '2,24p' "$0" | sed 's/^# \{0,1\}//'; exit "${1:-0}"; }

while getopts "c:d:m:s:r:t:a:h" opt; do
  case "$opt" in
    c) cases="$OPTARG" ;;
    d) dtypes="$OPTARG" ;;
    m) modes="$OPTARG" ;;
    s) seconds="$OPTARG" ;;
    r) runs="$OPTARG" ;;
    t) threads="$OPTARG" ;;
    a) allocator="$OPTARG" ;;
    h) usage 0 ;;
    *) usage 2 >&2 ;;
  esac
done
shift $((OPTIND - 1))
output="${1:-$here/results/python.jsonl}"
case "$allocator" in
  tcmalloc)
    [[ -n $tcmalloc ]] || { echo "-a tcmalloc: libtcmalloc_minimal.so.4 is not installed (apt-get install libtcmalloc-minimal4)" >&2; exit 2; }
    tuned_env=(LD_PRELOAD="$tcmalloc" TCMALLOC_LARGE_ALLOC_REPORT_THRESHOLD=1099511627776)
    bench_env=("${tuned_env[@]}") ;;
  glibc)  # carbonbench's side sets the same thresholds itself, through mallopt
    tuned_env=(GLIBC_TUNABLES="$tuned_tunables")
    bench_env=() ;;
  *) echo "-a $allocator: expected tcmalloc or glibc" >&2; exit 2 ;;
esac
echo "allocator of carbonbench and tuned Python: $allocator" >&2

# One run of the reference; its JSON line goes to stdout.
run_python() {
  local case=$1 dtype=$2 mode=$3 side=$4
  local args=(--case "$case" --dtype "$dtype" --mode "$mode" --threads "$threads"
              --seconds "$seconds")
  if [[ $side == tuned ]]; then
    env -u GLIBC_TUNABLES -u LD_PRELOAD "${tuned_env[@]}" \
      "$python" "$here/reference/torch_reference.py" "${args[@]}"
  else
    env -u GLIBC_TUNABLES -u LD_PRELOAD "$python" "$here/reference/torch_reference.py" "${args[@]}"
  fi
}

# carbonbench's side of one case: build/release/bench/python_parity_bench (its
# own loops, one case per process so each peak memory is its own), as one JSON
# line in the Python records' keys.
bench="$here/../build/release/bench/python_parity_bench"
run_carbonbench() {
  local case=$1 dtype=$2 mode=$3
  env -u GLIBC_TUNABLES -u LD_PRELOAD "${bench_env[@]}" BENCH_THREADS="$threads" \
    "$bench" --benchmark_filter="^$mode/$case/$dtype/" \
      --benchmark_min_time="$seconds" --benchmark_format=json 2>/dev/null |
    "$python" -c '
import json, sys
run = json.load(sys.stdin)["benchmarks"][0]
mode, case, dtype = run["name"].split("/")[:3]
print(json.dumps({"source": "carbonbench", "case": case, "dtype": dtype, "mode": mode,
                  "allocator": "tuned", "samples_per_s": run["samples_per_s"],
                  "median_ms": run["median_ms"], "peak_rss_mb": run["peak_rss_mb"]}))'
}

# The three runs of one case (Python as users run it, Python tuned,
# carbonbench) follow each other, so drift in the machine's state (clock,
# neighbours' load: 10-25% over minutes on a shared host) falls on all three
# alike, and each ratio compares runs minutes apart at most. Counts failed
# runs in $failures.
failures=0
run_all() {
  local case dtype mode side run
  for case in $cases; do
    for dtype in $dtypes; do
      for mode in $modes; do
        for ((run = 1; run <= runs; run++)); do
          for side in default tuned carbonbench; do
            echo "$side: $case $dtype $mode" >&2
            if [[ $side == carbonbench ]]; then
              run_carbonbench "$case" "$dtype" "$mode" >>"$output" && continue
            else
              run_python "$case" "$dtype" "$mode" "$side" >>"$output" && continue
            fi
            echo "$side: $case $dtype $mode failed" >&2
            failures=$((failures + 1))
          done
        done
      done
    done
  done
}

mkdir -p "$(dirname "$output")"
: >"$output"
run_all
if grep -q '"source": *"carbonbench"' "$output"; then
  "$python" "$here/reference/ratio_table.py" "$output"
fi
echo "records: $output" >&2
if ((failures != 0)); then
  echo "$failures run(s) failed" >&2
  exit 1
fi
