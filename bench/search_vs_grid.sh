#!/usr/bin/env bash
# What a search saves against a grid, on suites/co2_search.yaml (TPE with
# median pruning, fixed seed): the search as written, the same search with
# pruning off, and the search space's equivalent grid (`run --grid`), each
# into its own store. For each: trials or cells, energy spent, best RMSE,
# and the energy spent until the best grid RMSE was reached, and until an
# RMSE within 5% of it (trials in order; a grid knows its best only once
# every cell has run).
#   bench/search_vs_grid.sh [OUTPUT_DIR]     (default bench/results/search_vs_grid)
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-bench/results/search_vs_grid}"
rm -rf "$out" && mkdir -p "$out"
bin=./build/release/bin/carbonbench
suite=suites/co2_search.yaml
sed 's/pruner: {type: median.*}/pruner: none/' "$suite" > "$out/co2_search.yaml"
grep -q 'pruner: none' "$out/co2_search.yaml"
"$bin" --store "$out/pruned.db" --reports-dir "$out/pruned" run "$suite" 2> "$out/pruned.log"
"$bin" --store "$out/unpruned.db" --reports-dir "$out/unpruned" run "$out/co2_search.yaml" \
  2> "$out/unpruned.log"
"$bin" --store "$out/grid.db" --reports-dir "$out/grid" run "$suite" --grid > "$out/grid.log" 2>&1
grep -h "Optuna's share" "$out/pruned.log" "$out/unpruned.log" || true
/usr/bin/python3 - "$out" <<'PY'
import sqlite3, sys
out = sys.argv[1]
grid = sqlite3.connect(f"{out}/grid.db")
rows = grid.execute("SELECT final_rmse, energy_wh FROM runs WHERE suite = 'co2_search' "
                    "AND status = 'finished' AND superseded_at = ''").fetchall()
grid_best = min(r[0] for r in rows)
grid_wh = sum(r[1] for r in rows)
print("| run | trials or cells | energy Wh | best RMSE | Wh until RMSE <= grid best | Wh until within 5% |")
print("|---|---:|---:|---:|---:|---:|")
print(f"| grid | {len(rows)} | {grid_wh:.4g} | {grid_best:.4g} | {grid_wh:.4g} | {grid_wh:.4g} |")
searches = {}
for name in ("pruned", "unpruned"):
    db = sqlite3.connect(f"{out}/{name}.db")
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
    searches[name] = spent
    pruned = sum(1 for t in trials if t[1] == "pruned")
    label = "TPE + median pruning" if name == "pruned" else "TPE, no pruning"
    until = f"{reached:.4g}" if reached is not None else "not reached"
    until_near = f"{near:.4g}" if near is not None else "not reached"
    print(f"| {label} | {len(trials)} ({pruned} pruned) | {spent:.4g} | {best:.4g} | {until} "
          f"| {until_near} |")
print(f"\npruning saved {100 * (1 - searches['pruned'] / searches['unpruned']):.1f}% of the "
      f"search's energy; the pruned search used {100 * (1 - searches['pruned'] / grid_wh):.1f}% "
      f"less than the grid")
PY
