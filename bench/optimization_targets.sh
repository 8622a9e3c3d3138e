#!/usr/bin/env bash
# Measures what each optimization saves against its targets: runs the cells
# of bench/targets/optimization_targets.yaml into their own store and prints
# the table (bench/targets/optimization_targets.py). Adds the quickstart's
# early-stopping row when results/carbonbench.db holds the quickstart.
#   bench/optimization_targets.sh [OUTPUT_DIR]     (default bench/results/targets)
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-bench/results/targets}"
mkdir -p "$out"
./scripts/build.sh app
./build/release/bin/carbonbench run bench/targets/optimization_targets.yaml \
  --store "$out/targets.db" --reports-dir "$out"
quickstart=()
[ -f results/carbonbench.db ] && quickstart=(results/carbonbench.db)
/usr/bin/python3 bench/targets/optimization_targets.py "$out/targets.db" "${quickstart[@]}" \
  | tee "$out/targets.md"
