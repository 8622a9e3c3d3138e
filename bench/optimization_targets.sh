#!/usr/bin/env bash
# Measures what each optimization saves against its targets: runs the cells
# of bench/targets/optimization_targets.yaml into their own store and prints
# the table (bench/targets/optimization_targets.py), with bf16's training step
# rate at CIFAR-10's shape beside the suite's. Adds the quickstart's
# early-stopping row when results/carbonbench.db holds the quickstart.
# About 25 minutes on two cores.
#   bench/optimization_targets.sh [OUTPUT_DIR]     (default bench/results/targets)
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-bench/results/targets}"
mkdir -p "$out"
./scripts/build.sh app python_parity_bench
./build/release/bin/carbonbench run bench/targets/optimization_targets.yaml \
  --store "$out/targets.db" --reports-dir "$out"
# bf16's step rate also at CIFAR-10's shape and batch 128 (3x32x32: the
# ResNet-18 case of bench/compare_python.sh), fp32 and bf16 alternating, three
# runs of each, one per process.
: >"$out/step_rates.jsonl"
for run in 1 2 3; do
  for dtype in fp32 bf16; do
    ./build/release/bench/python_parity_bench --benchmark_filter="^train/resnet18/$dtype/" \
        --benchmark_min_time=5 --benchmark_format=json 2>/dev/null |
      /usr/bin/python3 -c '
import json, sys
run = json.load(sys.stdin)["benchmarks"][0]
print(json.dumps({"dtype": run["name"].split("/")[2], "samples_per_s": run["samples_per_s"]}))' \
      >>"$out/step_rates.jsonl"
  done
done
quickstart=()
[ -f results/carbonbench.db ] && quickstart=(--quickstart results/carbonbench.db)
/usr/bin/python3 bench/targets/optimization_targets.py "$out/targets.db" \
  --step-rates "$out/step_rates.jsonl" "${quickstart[@]}" | tee "$out/targets.md"
