#!/usr/bin/env bash
# The same carbonbench loops under each C allocator this machine has: glibc
# with its default thresholds, glibc with carbonbench's (allocator: glibc), and
# Debian's jemalloc and tcmalloc (allocator: auto, the default) through
# LD_PRELOAD where installed (apt-get install libjemalloc2
# libtcmalloc-minimal4). Prints samples/s and
# peak resident memory per case; the allocators of one case run back to back.
#   bench/allocators.sh [-s SECONDS_PER_RUN] [-a "ALLOCATOR ..."] [CASE ...]
#   (default cases: train/cnn/fp32 infer64/cnn/fp32 train/resnet18/fp32;
#    about 8 minutes: jemalloc's and glibc's default runs are the slow ones)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=3
order=(glibc-default glibc-tuned jemalloc tcmalloc)
while [[ ${1:-} == -s || ${1:-} == -a ]]; do
  if [[ $1 == -s ]]; then seconds=$2; else read -ra order <<<"$2"; fi
  shift 2
done
cases=("$@")
((${#cases[@]})) || cases=(train/cnn/fp32 infer64/cnn/fp32 train/resnet18/fp32)
./scripts/build.sh python_parity_bench >/dev/null
source bench/find_library.sh
declare -A preload=([glibc-default]="" [glibc-tuned]="")
jemalloc="$(find_library libjemalloc.so.2)"
tcmalloc="$(find_library libtcmalloc_minimal.so.4)"
[[ -n $jemalloc ]] && preload[jemalloc]=$jemalloc
[[ -n $tcmalloc ]] && preload[tcmalloc]=$tcmalloc
records=$(mktemp)
for case in "${cases[@]}"; do
  for allocator in "${order[@]}"; do
    [[ -v preload[$allocator] ]] || continue
    tuning=1
    [[ $allocator == glibc-default ]] && tuning=0
    echo "$allocator: $case" >&2
    CARBONBENCH_MALLOC_TUNING=$tuning LD_PRELOAD=${preload[$allocator]} \
      build/release/bench/python_parity_bench --benchmark_filter="^$case/" \
        --benchmark_min_time="$seconds" --benchmark_format=json 2>/dev/null |
      /usr/bin/python3 -c '
import json, sys
run = json.load(sys.stdin)["benchmarks"][0]
print(json.dumps({"case": sys.argv[1], "allocator": sys.argv[2],
                  "samples_per_s": run["samples_per_s"], "peak_rss_mb": run["peak_rss_mb"]}))' \
        "$case" "$allocator" >>"$records" || echo "$allocator: $case failed" >&2
  done
done
/usr/bin/python3 - "$records" <<'PY'
import json, sys
rows = [json.loads(line) for line in open(sys.argv[1])]
allocators = [a for a in ("glibc-default", "glibc-tuned", "jemalloc", "tcmalloc")
              if any(r["allocator"] == a for r in rows)]
print("| case | " + " | ".join(allocators) + " |")
print("| --- |" + " --: |" * len(allocators))
for case in dict.fromkeys(r["case"] for r in rows):
    cells = []
    for allocator in allocators:
        found = [r for r in rows if r["case"] == case and r["allocator"] == allocator]
        cells.append(f"{found[0]['samples_per_s']:,.0f}/s, {found[0]['peak_rss_mb']:,.0f} MiB"
                     if found else "failed")
    print(f"| {case} | " + " | ".join(cells) + " |")
PY
rm -f "$records"
