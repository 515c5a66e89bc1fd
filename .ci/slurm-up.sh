#!/usr/bin/env bash
# A single-node Slurm on this machine (munge + slurmctld + slurmd), for the Slurm sweep integration test and for
# developers trying `roundhouse sweep --executor slurm` without a cluster. Needs root; Debian/Ubuntu packages
# slurm-wlm and munge (installed with apt-get when missing and CI is set, as on CI).
#
#   .ci/slurm-up.sh          start (idempotent: does nothing when `sinfo` already answers)
#   .ci/slurm-up.sh stop     stop the daemons it started (by their pid files)
#   .ci/slurm-up.sh status
#
# State, spool, logs and pid files live in $ROUNDHOUSE_SLURM_DIR (default /tmp/roundhouse-slurm). The config goes to
# /etc/slurm/slurm.conf (where sinfo/sbatch look) unless a slurm.conf not written by this script is already there.
# It never fails the caller: when Slurm cannot be brought up it says why and exits 0, and the test skips.
set -uo pipefail
DIR="${ROUNDHOUSE_SLURM_DIR:-/tmp/roundhouse-slurm}"
CONF=/etc/slurm/slurm.conf
MARK="# written by roundhouse .ci/slurm-up.sh"
say() { echo "slurm-up: $*" >&2; }

stop_one() { # name: kill the pid in $DIR/name.pid and wait (10 s) until it has exited
  local f="$DIR/$1.pid" pid
  [ -f "$f" ] || return 0
  pid="$(cat "$f")"
  if kill "$pid" 2>/dev/null; then
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    say "stopped $1"
  fi
  rm -f "$f"
}

stop() {
  stop_one slurmd
  stop_one slurmctld
  stop_one munged
}

case "${1:-start}" in
  stop) stop; exit 0 ;;
  status) sinfo 2>&1; exit 0 ;;
  start) ;;
  *) say "usage: $0 [start|stop|status]"; exit 0 ;;
esac

if timeout 10 sinfo -h >/dev/null 2>&1; then
  say "Slurm already answers: $(sinfo -h -o '%P %a %D %T' | head -1)"
  exit 0
fi
if [ "$(id -u)" != 0 ]; then
  say "not root: cannot start munge/slurmd here; Slurm tests will skip"
  exit 0
fi
if ! command -v slurmctld >/dev/null || ! command -v munged >/dev/null; then
  if [ -n "${CI:-}" ] || [ "${ROUNDHOUSE_SLURM_INSTALL:-}" = 1 ]; then
    say "installing slurm-wlm and munge"
    (export DEBIAN_FRONTEND=noninteractive; apt-get update -qq && apt-get install -y -qq slurm-wlm munge >/dev/null) \
      || { say "apt-get install failed; Slurm tests will skip"; exit 0; }
  else
    say "slurm-wlm/munge not installed (apt-get install slurm-wlm munge, or set ROUNDHOUSE_SLURM_INSTALL=1)"
    exit 0
  fi
fi

mkdir -p "$DIR"/{state,spool,log}
# munge: its own user, its own dirs, a key
mkdir -p /run/munge /var/log/munge /var/lib/munge /etc/munge
if [ ! -s /etc/munge/munge.key ]; then
  (command -v mungekey >/dev/null && mungekey -c -f -k /etc/munge/munge.key) \
    || dd if=/dev/urandom bs=1 count=1024 of=/etc/munge/munge.key 2>/dev/null
fi
chown -R munge:munge /run/munge /var/log/munge /var/lib/munge /etc/munge
chmod 700 /etc/munge; chmod 400 /etc/munge/munge.key
if ! pgrep -x munged >/dev/null; then
  su -s /bin/sh munge -c "munged --pid-file=/run/munge/munged.pid" || { say "munged did not start"; exit 0; }
  cp /run/munge/munged.pid "$DIR/munged.pid" 2>/dev/null || pgrep -x munged > "$DIR/munged.pid"
fi

HOST="$(hostname -s)"
CPUS="$(nproc)"
MEM_MB=$(( $(awk '/MemAvailable/ {print $2}' /proc/meminfo) / 1024 / 2 ))
write_conf() {
  cat > "$1" <<CONF
$MARK
ClusterName=roundhouse
SlurmctldHost=$HOST
SlurmUser=root
AuthType=auth/munge
CredType=cred/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/backfill
ReturnToService=2
StateSaveLocation=$DIR/state
SlurmdSpoolDir=$DIR/spool
SlurmctldPidFile=$DIR/slurmctld.pid
SlurmdPidFile=$DIR/slurmd.pid
SlurmctldLogFile=$DIR/log/slurmctld.log
SlurmdLogFile=$DIR/log/slurmd.log
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
MpiDefault=none
SlurmctldTimeout=30
SlurmdTimeout=30
InactiveLimit=0
MinJobAge=300
KillWait=30
NodeName=$HOST NodeAddr=127.0.0.1 CPUs=$CPUS RealMemory=$MEM_MB State=UNKNOWN
PartitionName=debug Nodes=$HOST Default=YES MaxTime=INFINITE State=UP
CONF
}
if [ -f "$CONF" ] && ! grep -q "$MARK" "$CONF"; then
  say "$CONF exists and was not written here; leaving it alone (Slurm is configured elsewhere)"
  exit 0
fi
mkdir -p /etc/slurm
write_conf "$CONF"

# leftovers of an earlier bring-up (a dead daemon's pid file, a stale node state) must not stop this one
for d in slurmd slurmctld; do
  if [ -f "$DIR/$d.pid" ] && ! kill -0 "$(cat "$DIR/$d.pid")" 2>/dev/null; then rm -f "$DIR/$d.pid"; fi
done
pgrep -x slurmctld >/dev/null || slurmctld -c || { say "slurmctld did not start; see $DIR/log/slurmctld.log"; exit 0; }
pgrep -x slurmd >/dev/null || slurmd -c || { say "slurmd did not start; see $DIR/log/slurmd.log"; exit 0; }
for _ in $(seq 1 30); do
  state="$(sinfo -h -o '%T' 2>/dev/null | head -1)"
  case "$state" in
    idle|mixed|allocated) say "node $HOST $state ($CPUS CPUs, ${MEM_MB} MB); stop with: $0 stop"; exit 0 ;;
    down*|drain*) scontrol update NodeName="$HOST" State=RESUME >/dev/null 2>&1 ;;
  esac
  sleep 1
done
say "the node did not become idle in 30 s (state: ${state:-none}); see $DIR/log/"
exit 0
