#!/bin/bash
# LMTP delivery benchmark: Postern against Debian's Dovecot, side by side.
#   bench/lmtp/run.sh [BUILD_DIR] [REPEATS] [SECONDS]
# Starts a private posternd (data in /var/tmp/postern-lmtp-bench, users
# testuser1..200 with maildirs there, storage fsync = group, the default)
# and the reference Dovecot (/work/shared/bench/dovecot-peer.sh: LMTP on
# 10024, maildirs in /var/tmp/dovecot-peer/mail, Debian's defaults, i.e.
# mail_fsync = optimized), on the same machine and file system. Runs every
# case REPEATS times, the two servers alternating, and prints the median
# of each; raw JSON lines go to bench/lmtp/results-<date>.jsonl.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
build=${1:-$top/build}
repeats=${2:-5}
seconds=${3:-10}
posternd=$build/src/master/posternd
base=${POSTERN_BENCH_DIR:-/var/tmp/postern-lmtp-bench}
port=${POSTERN_BENCH_PORT:-12024}
peer=${DOVECOT_PEER:-/work/shared/bench/dovecot-peer.sh}
results=$here/results-$(date +%Y%m%d-%H%M%S).jsonl

[ -x "$posternd" ] || { echo "no $posternd: build first" >&2; exit 1; }

start_postern() {
	rm -rf "$base"
	mkdir -p "$base/mail"
	for i in $(seq 1 200); do
		echo "testuser$i:{PLAIN}pass::::$base/mail/testuser$i::"
	done >"$base/users"
	cat >"$base/postern.conf" <<CONF
data_dir = $base/var
log_level = warning
[auth]
passdb = passwd-file:$base/users
username_format = %Ln
[lmtp]
listen = 127.0.0.1:$port
[imap]
listen = 127.0.0.1:$((port + 1))
[pop3]
listen = 127.0.0.1:$((port + 2))
CONF
	"$posternd" -c "$base/postern.conf" >"$base/posternd.log" 2>&1 &
	postern_pid=$!
	for _ in $(seq 100); do
		(exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null && return 0
		sleep 0.1
	done
	echo "posternd did not start:" >&2
	cat "$base/posternd.log" >&2
	exit 1
}

stop_postern() {
	kill "$postern_pid" 2>/dev/null && wait "$postern_pid" || true
}
trap stop_postern EXIT

bench() { # server port root conns size
	python3 "$here/lmtp-bench.py" --label "$1" --port "$2" \
		--maildir-root "$3" --connections "$4" --size "$5" \
		--seconds "$seconds" | tee -a "$results"
}

start_postern
"$peer" start >/dev/null
"$peer" wipe-mail >/dev/null
# first deliveries create each user's storage: warm both up once
python3 "$here/lmtp-bench.py" --port "$port" --connections 8 --seconds 3 >/dev/null
python3 "$here/lmtp-bench.py" --port 10024 --connections 8 --seconds 3 >/dev/null

for r in $(seq "$repeats"); do
	for size in 4096 102400; do
		for conns in 1 8; do
			bench postern "$port" "$base/mail" "$conns" "$size"
			bench dovecot 10024 /var/tmp/dovecot-peer/mail "$conns" "$size"
		done
	done
done
python3 "$here/summarize.py" "$results"
