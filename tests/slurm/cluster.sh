#!/usr/bin/env bash
# Start/stop a private one-node Slurm cluster (munged + slurmctld + slurmd) for tests.
#
#   env=$(tests/slurm/cluster.sh start DIR) && eval "$env"  # DIR: absolute, existing folder
#   tests/slurm/cluster.sh stop DIR                         # idempotent
#
# start prints the "export VAR=..." lines a caller needs (just SLURM_CONF). It exits non-zero,
# with the daemon logs on stderr, when the node is not idle within 30 s. (A bare
# eval "$(cluster.sh start DIR)" would hide that failure from set -e.)
#
# Everything (config, munge key/socket, state, spool, logs, pid files, fake GPUs) lives under
# DIR and the daemons use freshly chosen free ports, so a system Slurm or munge is never used
# or disturbed. Must run as root (the daemons run as root, SlurmUser=root).
set -euo pipefail

usage() { echo "usage: $0 {start|stop} DIR   (DIR: absolute path of an existing folder)" >&2; exit 2; }
[[ $# -eq 2 && $2 == /* && -d $2 ]] || usage
CMD=$1
DIR=${2%/}
# Our own client calls (sinfo, squeue, scancel) must talk to this cluster only.
export SLURM_CONF=$DIR/slurm.conf
NODE=$(hostname -s)
START_TIMEOUT=30 # seconds for the node to become idle
STOP_TIMEOUT=20  # seconds per daemon to exit after SIGTERM

log() { echo "cluster.sh: $*" >&2; }

# Pid recorded for daemon $1 (munged, slurmctld, slurmd), if any. (Not $(<file): in bash a
# missing file there aborts the script under set -e, and daemons delete their pid files.)
pid_of() { cat "$DIR/run/$1.pid" 2>/dev/null; }

# True while pid $1 runs and is ours: its command line names DIR, so a stale pid file that
# points at a recycled pid never makes us touch a stranger. A zombie (empty command line)
# counts as gone.
ours() { [[ $1 =~ ^[0-9]+$ && $(tr '\0' ' ' 2>/dev/null <"/proc/$1/cmdline") == *"$DIR/"* ]]; }
running() { ours "$(pid_of "$1")"; }

# Wait up to $2 seconds for pid $1 to be gone.
wait_gone() {
  local i
  for ((i = 0; i < $2 * 5; i++)); do ours "$1" || return 0; sleep 0.2; done
  ! ours "$1"
}

stop_daemon() {
  local pid
  pid=$(pid_of "$1") || true
  # Wait on the pid, not the pid file: daemons delete that file before they are done.
  if ours "$pid"; then
    kill -TERM "$pid" 2>/dev/null || true
    if ! wait_gone "$pid" "$STOP_TIMEOUT"; then
      log "$1 (pid $pid) still running ${STOP_TIMEOUT}s after SIGTERM, sending SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
      wait_gone "$pid" 5 || log "$1 (pid $pid) survived SIGKILL"
    fi
  fi
  rm -f "$DIR/run/$1.pid"
}

stop() {
  local d deadline=$((SECONDS + 10))
  # Cancel leftover jobs while slurmd can still deliver the signal: with proctrack/linuxproc
  # a stopping slurmd would leave their slurmstepd processes behind.
  if running slurmctld && running slurmd; then
    timeout 5 squeue -h -o %A 2>/dev/null | xargs -r timeout 5 scancel 2>/dev/null || true
    while ((SECONDS < deadline)) && [[ -n $(timeout 5 squeue -h -t R,CG -o %A 2>/dev/null) ]]; do
      sleep 0.2
    done
  fi
  # Reverse start order: slurmd and slurmctld still need munged while shutting down.
  for d in slurmd slurmctld munged; do stop_daemon "$d"; done
}

# Fail start-up: say why, show the daemon logs, and stop whatever did come up.
die() {
  log "ERROR: $*"
  local f
  for f in "$DIR"/log/*; do
    # awk ends every line, also a last one the daemon is still writing.
    [[ -s $f ]] && { echo "---- tail of $f" >&2; tail -n 20 "$f" | awk '{ print "  " $0 }' >&2; }
  done
  stop
  exit 1
}

# A TCP port is free if no socket (v4 or v6, any state) uses it; /proc lists ports in hex.
port_free() { ! grep -qsi ":$(printf %04X "$1") " /proc/net/tcp /proc/net/tcp6; }

# Two consecutive free ports from a random start, so parallel clusters rarely collide.
pick_ports() {
  local p
  for ((p = 20000 + RANDOM % 20000; p < 60000; p++)); do
    port_free "$p" && port_free $((p + 1)) && { echo "$p $((p + 1))"; return; }
  done
  return 1
}

# Fake GPUs: character devices (nvidia major 195) are enough for slurmd's gres/gpu plugin,
# which only stats the files; it then sets CUDA_VISIBLE_DEVICES and SLURM_JOB_GPUS in jobs.
make_fake_gpus() {
  local i
  for i in 0 1; do
    [[ -c $DIR/dev/nvidia$i ]] || mknod -m 0666 "$DIR/dev/nvidia$i" c 195 "$i" 2>/dev/null || return 1
  done
}

write_conf() {
  local ports ctld_port slurmd_port cpus mem gres_node="" gres_types=""
  ports=$(pick_ports) || die "no two free consecutive TCP ports found"
  read -r ctld_port slurmd_port <<<"$ports"
  cpus=$(nproc)
  # Slightly below MemTotal: slurmd drains a node whose RealMemory exceeds what it finds.
  mem=$(awk '/^MemTotal:/ { printf "%d", $2 / 1024 * 0.9 }' /proc/meminfo)
  if make_fake_gpus; then
    gres_types="GresTypes=gpu"
    gres_node="Gres=gpu:2"
    # slurmd reads gres.conf from the folder holding slurm.conf.
    echo "Name=gpu File=$DIR/dev/nvidia[0-1]" >"$DIR/gres.conf"
  else
    log "NOTE: mknod failed, so no fake GPUs: --gres=gpu jobs will be rejected"
    rm -f "$DIR/gres.conf"
  fi
  cat >"$SLURM_CONF" <<EOF
# Private test cluster generated by tests/slurm/cluster.sh; everything lives under $DIR.
ClusterName=test
SlurmctldHost=$NODE(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$DIR/munge.socket
StateSaveLocation=$DIR/state
SlurmdSpoolDir=$DIR/spool
SlurmctldPidFile=$DIR/run/slurmctld.pid
SlurmdPidFile=$DIR/run/slurmd.pid
SlurmctldLogFile=$DIR/log/slurmctld.log
SlurmdLogFile=$DIR/log/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
PlugStackConfig=$DIR/plugstack.conf
MailProg=/bin/true
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
MpiDefault=none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
# Job outcomes for callers: sacct needs a database, scontrol forgets jobs after MinJobAge.
JobCompType=jobcomp/filetxt
JobCompLoc=$DIR/jobcomp.log
DependencyParameters=kill_invalid_depend
ReturnToService=2
MinJobAge=3600
# Allocate CPUs, not whole nodes, so several 1-CPU jobs (array tasks) share the node.
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
# Tests wait on their jobs: start them as soon as possible.
SchedulerParameters=batch_sched_delay=0,sched_min_interval=0
$gres_types
NodeName=$NODE NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$mem $gres_node State=UNKNOWN
# OverSubscribe=FORCE:4 lets each CPU take up to 4 jobs: a 2-core machine runs 8 tasks at once.
PartitionName=test Nodes=$NODE Default=YES MaxTime=INFINITE OverSubscribe=FORCE:4 State=UP
EOF
  # An empty plugstack.conf: the system's SPANK plugins must not load into our daemons.
  : >"$DIR/plugstack.conf"
}

start_munged() {
  # A private key and socket: the system munged and /etc/munge are left alone.
  if [[ ! -s $DIR/munge.key ]]; then
    dd if=/dev/urandom of="$DIR/munge.key" bs=1024 count=1 status=none
    chmod 0400 "$DIR/munge.key"
  fi
  # munged runs as root (the munge user could not enter a 0700 DIR); --force allows root.
  # It returns only once its socket is ready.
  munged --force --socket="$DIR/munge.socket" --key-file="$DIR/munge.key" \
    --pid-file="$DIR/run/munged.pid" --log-file="$DIR/log/munged.log" \
    --seed-file="$DIR/munged.seed" </dev/null >>"$DIR/log/daemons.out" 2>&1 ||
    die "munged failed to start"
  munge -n -S "$DIR/munge.socket" | unmunge -S "$DIR/munge.socket" >/dev/null 2>&1 ||
    die "munged does not answer on $DIR/munge.socket"
}

start() {
  [[ $EUID -eq 0 ]] || { log "ERROR: must run as root (the daemons run as root)"; exit 1; }
  # Not die(): that would stop the running cluster.
  running slurmctld && { log "ERROR: a cluster is already running in $DIR"; exit 1; }
  mkdir -p "$DIR"/{run,log,state,spool,dev}
  start_munged
  write_conf
  # Both fork into the background themselves and write the pid files named in slurm.conf.
  # slurmd retries registration, so it need not wait for slurmctld.
  slurmctld -f "$SLURM_CONF" </dev/null >>"$DIR/log/daemons.out" 2>&1 || die "slurmctld failed to start"
  slurmd -f "$SLURM_CONF" -N "$NODE" </dev/null >>"$DIR/log/daemons.out" 2>&1 || die "slurmd failed to start"

  local d state="" t0=$SECONDS
  while ((SECONDS - t0 < START_TIMEOUT)); do
    state=$(timeout 5 sinfo -h -n "$NODE" -o %t 2>/dev/null) || true
    [[ $state == idle ]] && break
    # Fail fast if a daemon died; allow 2 s for the forked daemons to write their pid files.
    for d in munged slurmctld slurmd; do
      ((SECONDS - t0 < 2)) || running "$d" || die "$d exited during start-up"
    done
    sleep 0.5
  done
  [[ $state == idle ]] || die "node $NODE not idle after ${START_TIMEOUT}s (state: '${state:-none}')"
  echo "export SLURM_CONF=$SLURM_CONF"
}

case $CMD in
  start) start ;;
  stop) stop ;;
  *) usage ;;
esac
