#!/usr/bin/env bash
# How close cost-balanced shards come to the ideal, against round-robin, on
# suites/cifar10.yaml (on synthetic data of CIFAR-10's shape and size, which
# is all a probe needs: random images, so only times mean anything) and on
# the quickstart: `plan --shards N` for N = 2, 4, 8, each cell's time
# predicted by a probe, against round-robin of whole cells on the same
# predictions. The ideal is the larger of the total over N and the longest
# cell repetition; where runs are few, the best split there is (exhaustive
# search) says how much of the gap no split of whole runs can close.
#   bench/shard_balance.sh [OUTPUT_DIR]     (default bench/results/shard_balance)
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-bench/results/shard_balance}"
rm -rf "$out" && mkdir -p "$out/cifar-10-batches-bin"
bin=$(realpath ./build/release/bin/carbonbench)

# CIFAR-10's binary format: per image a label byte and 3,072 pixel bytes.
/usr/bin/python3 - "$out/cifar-10-batches-bin" <<'PY'
import os, random, sys
random.seed(1)
for name, count in [(f"data_batch_{i}.bin", 10000) for i in range(1, 6)] + [("test_batch.bin", 10000)]:
    with open(os.path.join(sys.argv[1], name), "wb") as f:
        for _ in range(count // 1000):
            chunk = bytearray(os.urandom(3073 * 1000))
            for k in range(1000):
                chunk[k * 3073] = random.randrange(10)
            f.write(chunk)
PY
sed "s|^  path: data$|  path: $(realpath "$out")|; s|device: auto|device: cpu|" suites/cifar10.yaml > "$out/cifar10.yaml"
grep -q "path: $(realpath "$out")" "$out/cifar10.yaml"

echo "| suite | cells x repetitions | shards | balanced makespan | round-robin makespan | ideal | best split | balanced over ideal | round-robin over ideal |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
for suite in "$out/cifar10.yaml" suites/quickstart.yaml; do
  name=$(basename "$suite" .yaml)
  for shards in 2 4 8; do
    log="$out/$name-$shards.log"
    "$bin" --store "$out/$name.db" plan "$suite" --shards "$shards" \
      --shard-plan "$out/$name-$shards.json" > "$log" 2>&1
    /usr/bin/python3 - "$out/$name-$shards.json" "$name" "$shards" <<'PY'
import json, sys
# The split as written (cell repetitions), and round-robin of whole cells by
# position (--shard-by round-robin) on the same predictions.
plan = json.load(open(sys.argv[1]))
n = int(sys.argv[3])
balanced, robin, units = [0.0] * n, [0.0] * n, []
for i, cell in enumerate(plan["cells"]):
    for shard in cell["shards"]:
        balanced[shard - 1] += cell["predicted_s"]
        robin[i % n] += cell["predicted_s"]
        units.append(cell["predicted_s"])
ideal = max(sum(units) / n, max(units))
# The best split there is, by exhaustive search where runs are few: whole
# runs cannot always reach the ideal (9 runs on 4 shards put 3 on one).
best = None
if len(units) <= 16:
    best = float("inf")
    ordered = sorted(units, reverse=True)
    def place(i, loads):
        global best
        if max(loads) >= best:
            return
        if i == len(ordered):
            best = max(loads)
            return
        for k in sorted(set(range(n)), key=lambda k: loads[k]):
            if k > 0 and loads[k] in loads[:k]:
                continue
            loads[k] += ordered[i]
            place(i + 1, loads)
            loads[k] -= ordered[i]
    place(0, [0.0] * n)
def fmt(s):
    return f"{s / 3600:.1f} h" if s >= 7200 else f"{s / 60:.1f} min" if s >= 120 else f"{s:.1f} s"
print(f"| {sys.argv[2]} | {len(plan['cells'])} x {plan['repetitions']} | {n} | {fmt(max(balanced))} | "
      f"{fmt(max(robin))} | {fmt(ideal)} | {fmt(best) if best else '-'} | "
      f"{100 * (max(balanced) / ideal - 1):+.1f}% | {100 * (max(robin) / ideal - 1):+.1f}% |")
PY
  done
done
