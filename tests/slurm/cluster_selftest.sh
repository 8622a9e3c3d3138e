#!/usr/bin/env bash
# Self-test for cluster.sh: on a fresh private cluster run a 4-task job array, a job that
# depends on it (afterany) and a --gres=gpu:1 job, check their outputs and the jobcomp log,
# then check that stop is clean and idempotent. Exits 0 on success. Run as root.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
if [[ $(id -u) -ne 0 ]] || ! command -v slurmctld >/dev/null || ! command -v munged >/dev/null; then
  echo "skipped: needs root and Debian's slurm-wlm and munge (scripts/install_deps.sh --test)"
  exit 77
fi
CLUSTER=$HERE/cluster.sh
DIR=$(mktemp -d "${TMPDIR:-/tmp}/slurm-selftest.XXXXXX")
OUT=$DIR/out
# Always stop the daemons; keep DIR (logs) only when the test failed.
trap 'rc=$?; "$CLUSTER" stop "$DIR"; [[ $rc -eq 0 ]] && rm -rf "$DIR" || echo "kept $DIR" >&2' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

# Not eval "$(...)" directly: eval would hide a failed start from set -e.
env_lines=$("$CLUSTER" start "$DIR")
eval "$env_lines"
echo "cluster up: SLURM_CONF=$SLURM_CONF"
mkdir "$OUT"

cat >"$DIR/task.sh" <<'EOF'
#!/bin/sh
echo "$SLURM_ARRAY_TASK_ID $SLURMD_NODENAME $SLURM_CPUS_PER_TASK" >"$OUT/task_$SLURM_ARRAY_TASK_ID.txt"
sleep 2 # long enough for the tasks to overlap
EOF
# The job environment is exported from here (sbatch's default --export=ALL), OUT included.
export OUT
arr=$(sbatch --parsable --array=1-4 -o "$OUT/arr_%a.log" "$DIR/task.sh")
dep=$(sbatch --parsable --dependency=afterany:"$arr" -o "$OUT/dep.log" \
  --wrap 'ls "$OUT"/task_*.txt >"$OUT/deps.txt"')
# Fake GPUs need mknod, which a container may refuse: then a plain job.
gres=()
[[ -c $DIR/dev/nvidia0 ]] && gres=(--gres=gpu:1)
gpu=$(sbatch --parsable "${gres[@]}" -o "$OUT/gpu.log" \
  --wrap 'echo "${CUDA_VISIBLE_DEVICES:-none} ${SLURM_JOB_GPUS:-none}" >"$OUT/gpu.txt"; env | grep -E "GPU|CUDA" | sort || true')
echo "submitted: array=$arr dependent=$dep gpu=$gpu"

# Poll until none of the jobs is queued or running (bounded), noting peak array concurrency.
max_running=0
deadline=$((SECONDS + 60))
while ((SECONDS < deadline)); do
  [[ -z $(squeue -h -j "$arr,$dep,$gpu" -o %i) ]] && break
  running=$(squeue -h -r -j "$arr" -t running -o %i | wc -l) || running=0
  if ((running > max_running)); then
    max_running=$running
    echo "squeue -h -r -j $arr -o '%i %T':"; squeue -h -r -j "$arr" -o '%i %T' | sed 's/^/  /'
  fi
  sleep 0.5
done
[[ -z $(squeue -h -j "$arr,$dep,$gpu" -o %i) ]] || fail "jobs still queued after 60 s"
echo "after completion, squeue -h -r -j $arr shows: '$(squeue -h -r -j "$arr" -o '%i %T' | tr '\n' ' ')'"
echo "peak concurrently running array tasks: $max_running"
((max_running >= 2)) || fail "array tasks never ran concurrently"

for t in 1 2 3 4; do
  read -r id node cpus <"$OUT/task_$t.txt" || fail "task $t wrote nothing"
  [[ $id == "$t" && $node == "$(hostname -s)" ]] || fail "task $t wrote '$id $node $cpus'"
done
[[ $(wc -l <"$OUT/deps.txt") -eq 4 ]] || fail "dependent job saw: $(cat "$OUT/deps.txt")"
read -r cvd jgpus <"$OUT/gpu.txt" || true
if ((${#gres[@]})); then
  [[ $cvd != none && $jgpus != none ]] || fail "gres job env: $(cat "$OUT/gpu.log")"
fi
echo "gres job environment:"; sed 's/^/  /' "$OUT/gpu.log"

# Outcomes as the caller will parse them: one line per job (each array task separately).
JOBCOMP=$DIR/jobcomp.log
echo "jobcomp lines:"; sed 's/^/  /' "$JOBCOMP"
[[ $(grep -c " ArrayJobId=$arr ArrayTaskId=[1-4] " "$JOBCOMP") -eq 4 ]] || fail "array tasks missing in jobcomp"
[[ $(grep -c "JobState=COMPLETED" "$JOBCOMP") -eq 6 ]] || fail "not all 6 jobs COMPLETED"
grep -q "^JobId=$dep .*JobState=COMPLETED" "$JOBCOMP" || fail "dependent job not COMPLETED"

# Stop must leave no daemon of ours running, and a second stop must succeed quietly.
pids=$(cat "$DIR"/run/*.pid)
"$CLUSTER" stop "$DIR"
for p in $pids; do
  [[ ! -r /proc/$p/cmdline || -z $(tr -d '\0' <"/proc/$p/cmdline") ]] || fail "pid $p still running"
done
[[ -z $(ls "$DIR/run") ]] || fail "pid files left: $(ls "$DIR/run")"
"$CLUSTER" stop "$DIR"
echo "PASS"
