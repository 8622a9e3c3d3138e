#!/usr/bin/env bash
# The harness's own cost: one epoch of a full carbonbench cell (its batch
# loader, optimization hooks, the energy sampler at its default 100 ms, store
# writes and progress all on) against the bare libtorch loop a user would
# write, with the same runtime settings, on data of the same shape: the
# quickstart's cnn on 12,000 Fashion-MNIST images, batch 64, Adam.
#   bench/harness_overhead.sh [OUTPUT_DIR]      (default bench/results/overhead)
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-bench/results/overhead}"
rm -rf "$out" && mkdir -p "$out"
./build/release/bin/carbonbench train --model cnn --epochs 3 --train_size 12000 \
  --test_size 1000 --store "$out/cell.db" --reports-dir "$out" >/dev/null 2>&1
# The cell's process runs tcmalloc where installed (allocator: auto): so does the bare loop.
source bench/find_library.sh
tcmalloc="$(find_library libtcmalloc_minimal.so.4)"
bare=$(LD_PRELOAD="$tcmalloc" ./build/release/bench/python_parity_bench \
  --benchmark_filter='^bare/cnn/fp32/' --benchmark_format=json 2>/dev/null)
/usr/bin/python3 - "$out/cell.db" "$bare" <<'PY'
import json, sqlite3, sys
# The cell's steady epochs: the first pays one-off set-up, as the bare loop's warm-up does.
cell_s = sqlite3.connect(sys.argv[1]).execute(
    "SELECT AVG(train_s) FROM epochs WHERE epoch > 1").fetchone()[0]
run = json.loads(sys.argv[2])["benchmarks"][0]
bare_s = 12000 / run["samples_per_s"]
print(f"| loop | epoch s | samples/s |\n|---|---:|---:|")
print(f"| bare libtorch loop | {bare_s:.2f} | {12000 / bare_s:.0f} |")
print(f"| carbonbench cell (sampler, hooks, store, progress) | {cell_s:.2f} | {12000 / cell_s:.0f} |")
print(f"\nharness overhead: {100 * (cell_s / bare_s - 1):+.1f}% of the epoch")
PY
