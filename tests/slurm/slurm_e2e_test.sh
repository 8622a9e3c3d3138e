#!/usr/bin/env bash
# A suite on a real (one-node) Slurm cluster: `slurm submit` runs it as a
# 3-task job array over cost-balanced shards with a GPU each (fake devices),
# the dependent job merges the shard stores and writes the report, and the
# merged report holds the same cells in the same states as one `run` of the
# suite. A task cut short is resubmitted alone and resumes. Exits 77 (a
# skip) where Slurm is not installed or this is not root.
#
#   slurm_e2e_test.sh CARBONBENCH_BINARY
set -euo pipefail

CARBONBENCH=$(realpath "$1")
HERE=$(cd "$(dirname "$0")" && pwd)
if [[ $(id -u) -ne 0 ]] || ! command -v slurmctld >/dev/null || ! command -v munged >/dev/null; then
  echo "skipped: needs root and Debian's slurm-wlm and munge (scripts/install_deps.sh --test)"
  exit 77
fi

DIR=$(mktemp -d "${TMPDIR:-/tmp}/carbonbench-slurm.XXXXXX")
mkdir "$DIR/cluster"
trap 'rc=$?; "$HERE/cluster.sh" stop "$DIR/cluster"; [[ $rc -eq 0 ]] && rm -rf "$DIR" || echo "kept $DIR" >&2' EXIT
fail() {
  echo "FAIL: $*" >&2
  tail -n 20 "$DIR"/work/results/slurm/split/logs/*.out >&2 2>/dev/null || true
  exit 1
}
started=$SECONDS

env=$("$HERE/cluster.sh" start "$DIR/cluster") && eval "$env"
mkdir -p "$DIR/work" && cd "$DIR/work"
# Each test's own register of running cells (see energy/running_cells.h).
export CARBONBENCH_CELLS_DIR=$DIR/cells

cat >split.yaml <<'YAML'
suite: split
dataset: {name: fashion_mnist, train_size: 512, test_size: 128}
defaults:
  model: cnn
  batch_size: 64
  cnn: {channels: 4, hidden: 16}
matrix:
  epochs: [1, 3]
  lr: [0.01, 0.02, 0.03]
inference: {enabled: false}
YAML

# The same suite run once, here: the reference, and the store whose runs
# predict each cell's cost for the split.
"$CARBONBENCH" --store results/carbonbench.db --reports-dir single run split.yaml >single.log 2>&1 ||
  fail "the single run failed: $(tail -n 5 single.log)"

# Fake GPUs need mknod, which a container may refuse: then no --gres.
gres=()
[[ -c $DIR/cluster/dev/nvidia0 ]] && gres=(--gres gpu:1)
"$CARBONBENCH" slurm submit split.yaml --tasks 3 "${gres[@]}" --cpus-per-task 1 \
  --time 10 >submit.log 2>&1 || fail "submit: $(cat submit.log)"
grep -q "submitted job array .* (tasks 1-3 of 3)" submit.log || fail "submit said: $(cat submit.log)"
grep -q "round-robin of whole cells:" submit.log || fail "no makespan against round-robin: $(cat submit.log)"

# Waits (at most 120 s) for the last merge job to have written the report.
wait_for_merge() {
  local i
  for ((i = 0; i < 240; i++)); do
    "$CARBONBENCH" slurm status split.yaml >status.log 2>&1 || fail "status: $(cat status.log)"
    grep -q "^merge: job [0-9]*, COMPLETED" status.log && return 0
    grep -q "^merge: job [0-9]*, \(FAILED\|CANCELLED\|TIMEOUT\)" status.log && fail "$(cat status.log)"
    sleep 0.5
  done
  fail "no merge after 120 s: $(cat status.log)"
}
wait_for_merge
grep -q "3 of 3 task(s) finished every run" status.log || fail "$(cat status.log)"
grep -q "| 1 | [0-9]*_1 | COMPLETED | " status.log || fail "task 1's state: $(cat status.log)"

# The merged report: each cell once, in the state the single run left it.
cells_and_states() { cut -d, -f3,5,11 "$1" | sort; }
[[ -f reports/split.runs.csv ]] || fail "the merge job wrote no report"
[[ $(cells_and_states reports/split.runs.csv) == $(cells_and_states single/split.runs.csv) ]] ||
  fail "merged and single reports differ: $(diff <(cells_and_states reports/split.runs.csv) \
    <(cells_and_states single/split.runs.csv))"
[[ $(tail -n +2 reports/split.runs.csv | wc -l) -eq 6 ]] || fail "the merged store has not 6 runs"

# What each run recorded of its Slurm task: array task, node, 1 CPU (its
# thread count too) and the GPU Slurm bound it to, where it had fake ones.
/usr/bin/python3 - results/slurm/split/merged.db "${#gres[@]}" <<'PY' || fail "the runs' Slurm records"
import json, sqlite3, sys
with_gpus = sys.argv[2] != "0"
tasks = set()
for (text,) in sqlite3.connect(sys.argv[1]).execute("SELECT environment_json FROM runs"):
    environment = json.loads(text)
    slurm = environment["slurm"]
    assert slurm["cpus"] == "1" and environment["threads"] == 1, environment
    assert slurm.get("gpus") in (("0", "1") if with_gpus else (None,)), slurm
    assert slurm["node"] and slurm["job_id"], slurm
    tasks.add(slurm["array_task_id"])
assert tasks == {"1", "2", "3"}, tasks
PY

# A task cut short (killed mid-run: its store still says running) shows
# as interrupted, is the only one submitted again, and resumes; the merge
# that follows has every cell once more.
/usr/bin/python3 - results/slurm/split/shard-2.db <<'PY' || fail "could not edit shard 2's store"
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.execute("UPDATE runs SET status = 'running', finished_at = '' WHERE id = (SELECT MIN(id) FROM runs)")
db.commit()
PY
"$CARBONBENCH" slurm status split.yaml >status.log 2>&1 || fail "status: $(cat status.log)"
grep -q "| 2 | [0-9]*_2 | COMPLETED | 2 | 1 | 0 | 1 | 0 | 0 |" status.log ||
  fail "no interrupted run in task 2: $(cat status.log)"
grep -q "2 of 3 task(s) finished every run" status.log || fail "$(cat status.log)"
"$CARBONBENCH" slurm submit split.yaml >resubmit.log 2>&1 || fail "resubmit: $(cat resubmit.log)"
grep -q "(task 2 of 3)" resubmit.log || fail "resubmitted: $(cat resubmit.log)"
wait_for_merge
grep -q "3 of 3 task(s) finished every run" status.log || fail "$(cat status.log)"
[[ $(cells_and_states reports/split.runs.csv) == $(cells_and_states single/split.runs.csv) ]] ||
  fail "after the resubmission the merged report differs"

# Everything finished: a submission only merges.
"$CARBONBENCH" slurm submit split.yaml >again.log 2>&1 || fail "again: $(cat again.log)"
grep -q "every task of suite split has finished: submitted only the merge" again.log ||
  fail "$(cat again.log)"
wait_for_merge

echo "PASS in $((SECONDS - started)) s"
