#!/usr/bin/env bash
# End-to-end test of `trustsim slurm` on a real single-node SLURM cluster.
#
# Run as root on a Debian/Ubuntu machine without systemd (a CI container):
# installs slurmctld, slurmd, slurm-client and munge (apt-get, if missing),
# starts munged (as user munge), slurmctld and `slurmd -N localhost` on a
# minimal slurm.conf in a temporary folder, then
#   1. submits the job array and merge job written by `trustsim slurm` for a
#      9-unit sweep in 8 shards and checks that the merged sweep.parquet is
#      byte-identical to a single-process `trustsim sweep` + `trustsim merge`;
#   2. deletes one part, checks that `trustsim merge` names its shard,
#      resubmits only that shard and the merge, and compares again.
# A trap stops the daemons this script started (by pid) on any exit.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

log() { echo "slurm-test: $*"; }
die() { echo "slurm-test: FAIL: $*" >&2; exit 1; }

[ "$(id -u)" -eq 0 ] || die "must run as root (it installs packages and starts daemons)"

# ---- packages ---------------------------------------------------------------
need=()
for cmd in slurmctld slurmd sbatch munged; do
    command -v "$cmd" >/dev/null 2>&1 || need+=("$cmd")
done
if [ "${#need[@]}" -gt 0 ]; then
    log "installing slurmctld slurmd slurm-client munge"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq slurmctld slurmd slurm-client munge >/dev/null
fi
log "$(slurmctld -V)"

TMP=$(mktemp -d /tmp/trustsim-slurm.XXXXXX)
chmod 755 "$TMP"
STARTED_PIDS=()   # daemons this script started, stopped in this order
JOBS=()           # jobs this script submitted, cancelled if still queued
cleanup() {
    local rc=$?
    set +e
    if [ "$rc" -ne 0 ] && [ "${#JOBS[@]}" -gt 0 ] && [ -n "${SLURM_CONF:-}" ]; then
        scancel "${JOBS[@]}" 2>/dev/null
    fi
    if [ "$rc" -ne 0 ]; then
        for f in "$TMP"/slurmctld.log "$TMP"/slurmd.log "$TMP"/munge/munged.log "$TMP"/*.stderr; do
            [ -f "$f" ] && { echo "---- tail of $f"; tail -n 30 "$f"; }
        done
        for f in "$TMP"/work/*/slurm/logs/*.out; do
            [ -f "$f" ] && { echo "---- $f"; tail -n 20 "$f"; }
        done
    fi
    for pid in "${STARTED_PIDS[@]}"; do
        kill "$pid" 2>/dev/null
    done
    for pid in "${STARTED_PIDS[@]}"; do
        for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -0 "$pid" 2>/dev/null && kill -9 "$pid" 2>/dev/null
    done
    [ "${#STARTED_PIDS[@]}" -gt 0 ] && log "stopped daemons ${STARTED_PIDS[*]}"
    if [ "$rc" -eq 0 ]; then rm -rf "$TMP"; else echo "slurm-test: files kept in $TMP" >&2; fi
    exit "$rc"
}
trap cleanup EXIT

# ---- trustsim (built before any daemon starts) -----------------------------
# Every target, so that the dependencies are built with the features
# `cargo test` resolves (dev-dependencies included) and are not built again
# for the tests.
log "cargo build --all-targets"
cargo build --all-targets --quiet
TRUSTSIM="$ROOT/target/debug/trustsim"
[ -x "$TRUSTSIM" ] || die "no $TRUSTSIM"

# ---- munge ------------------------------------------------------------------
if [ ! -s /etc/munge/munge.key ]; then
    log "creating /etc/munge/munge.key"
    install -d -o munge -g munge -m 0700 /etc/munge
    if command -v mungekey >/dev/null 2>&1; then
        mungekey --create --keyfile=/etc/munge/munge.key --force
    else
        dd if=/dev/urandom of=/etc/munge/munge.key bs=1 count=1024 status=none
    fi
    chown munge:munge /etc/munge/munge.key
    chmod 0400 /etc/munge/munge.key
fi
install -d -o munge -g munge -m 0755 /run/munge
install -d -o munge -g munge -m 0700 /var/lib/munge /var/log/munge
if munge -n 2>/dev/null | unmunge >/dev/null 2>&1; then
    log "munged already running; using it"
else
    log "starting munged as user munge"
    install -d -o munge -g munge -m 0700 "$TMP/munge"
    setpriv --reuid=munge --regid=munge --init-groups \
        /usr/sbin/munged --foreground --log-file="$TMP/munge/munged.log" 2>>"$TMP/munged.stderr" &
    STARTED_PIDS=("$!" "${STARTED_PIDS[@]}")
    for _ in $(seq 50); do
        munge -n 2>/dev/null | unmunge >/dev/null 2>&1 && break
        sleep 0.2
    done
    munge -n | unmunge >/dev/null || die "munged does not answer"
fi

# ---- slurm.conf -------------------------------------------------------------
for port in 6817 6818; do
    if ss -Hltn "sport = :$port" | grep -q .; then
        die "port $port is in use (another SLURM daemon running?)"
    fi
done
CPUS=$(nproc)
MEM=$(free -m | awk '/^Mem:/ { print int($2 * 0.9) }')
mkdir -p "$TMP/state" "$TMP/spool" "$TMP/work"
export SLURM_CONF="$TMP/slurm.conf"
cat >"$SLURM_CONF" <<EOF
ClusterName=trustsim-ci
SlurmctldHost=localhost
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
MpiDefault=none
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/backfill
ReturnToService=2
DependencyParameters=kill_invalid_depend
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/none
MinJobAge=3600
SlurmctldPort=6817
SlurmdPort=6818
StateSaveLocation=$TMP/state
SlurmdSpoolDir=$TMP/spool
SlurmctldPidFile=$TMP/slurmctld.pid
SlurmdPidFile=$TMP/slurmd.pid
SlurmctldLogFile=$TMP/slurmctld.log
SlurmdLogFile=$TMP/slurmd.log
NodeName=localhost CPUs=$CPUS RealMemory=$MEM State=UNKNOWN
PartitionName=debug Nodes=localhost Default=YES MaxTime=INFINITE State=UP
EOF
log "slurm.conf in $SLURM_CONF (localhost: $CPUS CPUs, $MEM MB)"

# ---- daemons ----------------------------------------------------------------
log "starting slurmctld and slurmd"
slurmctld -D -i -f "$SLURM_CONF" >>"$TMP/slurmctld.stderr" 2>&1 &
STARTED_PIDS=("$!" "${STARTED_PIDS[@]}")
for _ in $(seq 50); do scontrol ping 2>/dev/null | grep -q UP && break; sleep 0.2; done
scontrol ping | grep -q UP || die "slurmctld does not answer"
slurmd -D -N localhost -f "$SLURM_CONF" >>"$TMP/slurmd.stderr" 2>&1 &
STARTED_PIDS=("$!" "${STARTED_PIDS[@]}")
state=""
for _ in $(seq 120); do
    state=$(sinfo -h -N -n localhost -o '%T' 2>/dev/null || true)
    [ "$state" = idle ] && break
    sleep 0.5
done
[ "$state" = idle ] || die "node localhost is '$state', not idle"
log "node localhost idle"

# ---- trustsim ---------------------------------------------------------------

SWEEP="$TMP/work/slurm-grid.toml"
cat >"$SWEEP" <<EOF
[sweep]
name = "slurm-grid"
base = "$ROOT/scenarios/quick.toml"
design = "grid"
replications = 1

[sweep.parameters]
"oversight.punitiveness" = [0.2, 0.5, 0.8]
"development.budget_share_of_paybill" = [0.0, 0.0015, 0.003]
EOF
OUT="$TMP/work/sharded run's %x"
SINGLE="$TMP/work/single"
SCRIPTS="$OUT/slurm"

log "single-process reference: trustsim sweep + merge"
"$TRUSTSIM" sweep "$SWEEP" --out "$SINGLE" --quiet --threads "$CPUS"
"$TRUSTSIM" merge "$SINGLE"

# Waits for the given jobs to leave the queue; fails if any did not complete.
wait_jobs() {
    local deadline=$((SECONDS + 900)) ids
    ids=$(IFS=,; echo "$*")
    while squeue -h -j "$ids" 2>/dev/null | grep -q .; do
        [ "$SECONDS" -lt "$deadline" ] || die "jobs $ids still queued after 15 min"
        sleep 1
    done
    local id states
    for id in "$@"; do
        states=$(scontrol -o show job "$id" | grep -o 'JobState=[A-Z_]*' | sort | uniq -c | tr -s ' ')
        log "job $id:$states"
        if scontrol -o show job "$id" | grep -o 'JobState=[A-Z_]*' | grep -qv 'JobState=COMPLETED'; then
            die "job $id did not complete"
        fi
    done
}

PASSED=0
FAILED=0

# ---- 1: the whole array -----------------------------------------------------
log "trustsim slurm --shards 8"
"$TRUSTSIM" slurm "$SWEEP" --shards 8 --cpus-per-task 1 --time 00:20:00 \
    --out "$OUT" --mem 500
submitted=$(cd / && "$SCRIPTS/submit.sh")
echo "$submitted"
JID=$(echo "$submitted" | awk '/^shards: job/ { print $3 }')
MID=$(echo "$submitted" | awk '/^merge: job/ { print $3 }')
[ -n "$JID" ] && [ -n "$MID" ] || die "cannot read job ids from submit.sh"
JOBS+=("$JID" "$MID")
t0=$SECONDS
wait_jobs "$JID" "$MID"
log "array of 8 tasks and merge finished in $((SECONDS - t0)) s"
tasks=$(scontrol -o show job "$JID" | grep -c 'ArrayTaskId=')
[ "$tasks" -eq 8 ] || die "expected 8 array tasks, found $tasks"
for i in $(seq 0 7); do
    [ -s "$SCRIPTS/logs/shard-$i.out" ] || die "no log $SCRIPTS/logs/shard-$i.out"
done
grep -q "shard 3/8" "$SCRIPTS/logs/shard-3.out" || die "shard-3.out does not mention shard 3/8"
if cmp "$OUT/sweep.parquet" "$SINGLE/sweep.parquet"; then
    log "PASS 1: merged 8-shard array equals the single-process sweep"
    PASSED=$((PASSED + 1))
else
    log "FAIL 1: merged 8-shard array differs from the single-process sweep"
    FAILED=$((FAILED + 1))
fi

# ---- 2: lose a part, resubmit that shard only -------------------------------
# Shard 0 of 8 owns units 0 and 8 of the 9; losing unit 8 reruns only it.
log "deleting data/point=8/part.parquet"
rm "$OUT/data/point=8/part.parquet" "$OUT/sweep.parquet"
if "$TRUSTSIM" merge "$OUT" 2>"$TMP/merge.err"; then
    die "merge succeeded with a part missing"
fi
cat "$TMP/merge.err"
grep -q -- "--array=0 of 8" "$TMP/merge.err" || die "merge does not name shard 0"
JID2=$(sbatch --parsable --array=0 "$SCRIPTS/run-shards.sbatch")
JID2=${JID2%%;*}
MID2=$(sbatch --parsable --dependency=afterok:"$JID2" "$SCRIPTS/merge.sbatch")
MID2=${MID2%%;*}
JOBS+=("$JID2" "$MID2")
log "resubmitted shard 0 as job $JID2, merge as job $MID2"
wait_jobs "$JID2" "$MID2"
grep -q "1 of 2 units to run (1 already done)" "$SCRIPTS/logs/shard-0.out" \
    || die "shard 0 did not rerun exactly the lost unit: $(cat "$SCRIPTS/logs/shard-0.out")"
if cmp "$OUT/sweep.parquet" "$SINGLE/sweep.parquet"; then
    log "PASS 2: after resubmitting shard 0 the merge equals the single-process sweep"
    PASSED=$((PASSED + 1))
else
    log "FAIL 2: after resubmitting shard 0 the merge differs"
    FAILED=$((FAILED + 1))
fi

echo "slurm: $PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
