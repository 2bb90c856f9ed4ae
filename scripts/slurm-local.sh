#!/usr/bin/env bash
# A single-node Slurm cluster on this machine for the sweep tests and .ci/run: writes slurm.conf
# (this host as controller and only node, one partition, accounting off), starts munged, slurmctld
# and slurmd as root, and stops them by their pid files. Usage: slurm-local.sh start|stop|status|env
set -euo pipefail

STATE="${PLATELAB_SLURM_DIR:-/tmp/platelab-slurm}"
CONF="$STATE/slurm.conf"
PARTITION="${PLATELAB_SLURM_PARTITION:-debug}"

write_conf() {
  local host cpus mem
  host="$(hostname -s)"
  cpus="$(nproc)"
  # Modest: a quarter of the machine's memory in MB, at least 512 (memory is not scheduled here).
  mem=$(( $(awk '/MemTotal/ {print int($2 / 1024)}' /proc/meminfo) / 4 ))
  [ "$mem" -lt 512 ] && mem=512
  mkdir -p "$STATE/spool/ctld" "$STATE/spool/d" "$STATE/log"
  cat >"$CONF" <<EOF
# Written by scripts/slurm-local.sh: a one-node test cluster (not for production).
ClusterName=platelab-local
SlurmctldHost=$host
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
StateSaveLocation=$STATE/spool/ctld
SlurmdSpoolDir=$STATE/spool/d
SlurmctldPidFile=$STATE/slurmctld.pid
SlurmdPidFile=$STATE/slurmd.pid
SlurmctldLogFile=$STATE/log/slurmctld.log
SlurmdLogFile=$STATE/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
ReturnToService=2
MinJobAge=600
KillWait=5
SlurmdTimeout=60
NodeName=$host CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=$PARTITION Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF
}

pid_alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

start() {
  for bin in munged slurmctld slurmd; do
    command -v "$bin" >/dev/null || [ -x "/usr/sbin/$bin" ] || {
      echo "slurm-local: $bin not installed (apt-get install -y slurm-wlm munge)" >&2
      exit 1
    }
  done
  [ "$(id -u)" -eq 0 ] || { echo "slurm-local: must run as root to start slurmd" >&2; exit 1; }
  write_conf
  export SLURM_CONF="$CONF"
  mkdir -p /run/munge /var/log/munge /var/lib/munge
  chown munge:munge /run/munge /var/log/munge /var/lib/munge
  if ! pid_alive "$STATE/munged.pid"; then
    [ -f /etc/munge/munge.key ] || { /usr/sbin/mungekey --create 2>/dev/null || /usr/sbin/create-munge-key -f; }
    chown munge:munge /etc/munge/munge.key
    # munged runs as its own user, so its pid file lives in its own /run/munge.
    rm -f /run/munge/platelab-munged.pid
    runuser -u munge -- /usr/sbin/munged --pid-file=/run/munge/platelab-munged.pid
    for _ in $(seq 50); do [ -s /run/munge/platelab-munged.pid ] && break; sleep 0.1; done
    cp /run/munge/platelab-munged.pid "$STATE/munged.pid"
  fi
  pid_alive "$STATE/slurmctld.pid" || /usr/sbin/slurmctld -f "$CONF"
  pid_alive "$STATE/slurmd.pid" || /usr/sbin/slurmd -f "$CONF"
  for _ in $(seq 100); do
    if scontrol ping 2>/dev/null | grep -q UP && sinfo -h -o '%t' 2>/dev/null | grep -qE '^(idle|mix|alloc)'; then
      echo "slurm-local: up (SLURM_CONF=$CONF, partition $PARTITION)"
      return 0
    fi
    sleep 0.2
  done
  echo "slurm-local: daemons did not come up; logs in $STATE/log" >&2
  tail -n 20 "$STATE/log/"*.log >&2 || true
  exit 1
}

stop() {
  # Each daemon by its own pid file, never by name.
  for name in slurmd slurmctld munged; do
    local f="$STATE/$name.pid"
    if pid_alive "$f"; then
      local pid
      pid="$(cat "$f")"
      kill "$pid"
      for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    fi
    rm -f "$f"
  done
  echo "slurm-local: stopped"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) SLURM_CONF="$CONF" scontrol ping ;;
  env) echo "export SLURM_CONF=$CONF" ;;
  *) echo "usage: $0 start|stop|status|env" >&2; exit 1 ;;
esac
