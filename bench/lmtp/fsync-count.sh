#!/bin/bash
# How many fsyncs a delivery costs, and whether parallel deliveries share
# them (group commit): runs lmtp-bench.py against a running posternd while
# strace counts the worker processes' fsync-family calls, and reads the
# disk's completed cache flushes (/sys/block/DEV/stat, field 16) before
# and after: one journal commit serves every fsync that joined it, so
# flushes per message below 1 is what group commit buys. The disk is
# shared with whatever else runs, so the flush count is an upper bound.
#   bench/lmtp/fsync-count.sh MASTER_PID PORT CONNECTIONS [SIZE] [SECONDS]
# MASTER_PID "-" counts the disk's flushes only (no strace: the real rate;
# also for Dovecot). strace slows every call down, so with it the rate is
# not the real one; only the counts matter.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
master=$1 port=$2 conns=$3 size=${4:-4096} seconds=${5:-10}
dev=${BENCH_DISK:-$(lsblk -no pkname "$(df --output=source /var/tmp | tail -1)" 2>/dev/null || true)}
[ -n "$dev" ] || dev=$(basename "$(df --output=source /var/tmp | tail -1)")
flushes() { awk '{print $16}' "/sys/block/$dev/stat"; }
out=$(mktemp -d)
workers=$([ "$master" = - ] || for p in /proc/[0-9]*; do
	[ "$(cat "$p/comm" 2>/dev/null)" = postern-worker ] &&
		[ "$(awk '{print $4}' "$p/stat")" = "$master" ] && basename "$p"
done; true)
pids=()
for w in $workers; do
	strace -f -c -e trace=fsync,fdatasync,sync_file_range -p "$w" \
		-o "$out/$w" 2>/dev/null &
	pids+=($!)
done
sleep 1
f0=$(flushes)
result=$(python3 "$here/lmtp-bench.py" --port "$port" --connections "$conns" \
	--size "$size" --seconds "$seconds")
f1=$(flushes)
sleep 0.5
if [ ${#pids[@]} -gt 0 ]; then
	kill -INT "${pids[@]}"
	wait "${pids[@]}" 2>/dev/null || true
fi
acked=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["acked"])' "$result")
echo "$result"
cat "$out"/* 2>/dev/null | awk -v acked="$acked" -v conns="$conns" -v fl=$((f1 - f0)) -v dev="$dev" '
	$NF ~ /^(fsync|fdatasync|sync_file_range)$/ { n[$NF] += $4 }
	END {
		printf "%d connections, %d messages acknowledged\n", conns, acked
		for (s in n)
			printf "  %-16s %7d calls  %.2f per message\n", s, n[s], n[s] / acked
		printf "  %s cache flushes %d  %.2f per message\n", dev, fl, fl / acked
	}'
rm -rf "$out"
