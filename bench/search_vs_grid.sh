#!/usr/bin/env bash
# What a search saves against a grid, on suites/co2_search.yaml (TPE with
# median pruning): for each sampler seed, the search as written and the
# same search with pruning off, and once the search space's equivalent
# grid (`run --grid`), each into its own store. For each: trials or cells,
# energy spent, best RMSE, and the energy spent until the grid's best RMSE
# was reached, and until an RMSE within 5% of it (trials in order; a grid
# knows its best only once every cell has run).
#   bench/search_vs_grid.sh [OUTPUT_DIR]     (default bench/results/search_vs_grid)
#   SEEDS="7 8 9" bench/search_vs_grid.sh    (default: 7, the suite's own)
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-bench/results/search_vs_grid}"
seeds="${SEEDS:-7}"
rm -rf "$out" && mkdir -p "$out"
bin=./build/release/bin/carbonbench
suite=suites/co2_search.yaml
grep -q 'sampler: {type: tpe, seed: 7}' "$suite"
"$bin" --store "$out/grid.db" --reports-dir "$out/grid" run "$suite" --grid > "$out/grid.log" 2>&1
for seed in $seeds; do
  sed "s/seed: 7}/seed: $seed}/" "$suite" > "$out/pruned-$seed.yaml"
  sed 's/pruner: {type: median.*}/pruner: none/' "$out/pruned-$seed.yaml" > "$out/unpruned-$seed.yaml"
  grep -q 'pruner: none' "$out/unpruned-$seed.yaml"
  for kind in pruned unpruned; do
    "$bin" --store "$out/$kind-$seed.db" --reports-dir "$out/$kind-$seed" run \
      "$out/$kind-$seed.yaml" 2> "$out/$kind-$seed.log"
    grep -h "Optuna's share" "$out/$kind-$seed.log" | sed "s/^/$kind, seed $seed: /"
  done
done
/usr/bin/python3 - "$out" $seeds <<'PY'
import sqlite3, sys
out, seeds = sys.argv[1], sys.argv[2:]
grid = sqlite3.connect(f"{out}/grid.db")
rows = grid.execute("SELECT final_rmse, energy_wh FROM runs WHERE suite = 'co2_search' "
                    "AND status = 'finished' AND superseded_at = ''").fetchall()
grid_best = min(r[0] for r in rows)
grid_wh = sum(r[1] for r in rows)
print("\n| run | seed | trials or cells | energy Wh | best RMSE | Wh until RMSE <= grid best "
      "| Wh until within 5% |")
print("|---|---:|---:|---:|---:|---:|---:|")
print(f"| grid | | {len(rows)} | {grid_wh:.4g} | {grid_best:.4g} | {grid_wh:.4g} | {grid_wh:.4g} |")
saved = []
for seed in seeds:
    spent_by = {}
    for name in ("pruned", "unpruned"):
        db = sqlite3.connect(f"{out}/{name}-{seed}.db")
        trials = db.execute("SELECT number, state, values_json, energy_wh FROM search_trials "
                            "ORDER BY number").fetchall()
        spent, reached, near, best = 0.0, None, None, float("inf")
        for number, state, values, wh in trials:
            spent += wh
            if state == "complete":
                value = float(values.strip("[]"))
                best = min(best, value)
                if reached is None and value <= grid_best * (1 + 1e-9):
                    reached = spent
                if near is None and value <= grid_best * 1.05:
                    near = spent
        spent_by[name] = spent
        pruned = sum(1 for t in trials if t[1] == "pruned")
        label = "TPE + median pruning" if name == "pruned" else "TPE, no pruning"
        until = f"{reached:.4g}" if reached is not None else "not reached"
        until_near = f"{near:.4g}" if near is not None else "not reached"
        print(f"| {label} | {seed} | {len(trials)} ({pruned} pruned) | {spent:.4g} | {best:.4g} "
              f"| {until} | {until_near} |")
    saved.append((seed, 1 - spent_by["pruned"] / spent_by["unpruned"], 1 - spent_by["pruned"] / grid_wh))
print()
for seed, by_pruning, against_grid in saved:
    print(f"seed {seed}: pruning saved {100 * by_pruning:.1f}% of the search's energy; the pruned "
          f"search used {100 * against_grid:.1f}% less than the grid")
PY
