#!/bin/bash
# postern-bench.sh start|stop|wipe-mail [POSTERND]
#
# A Postern instance for the IMAP benchmark, shaped like
# /work/shared/bench/dovecot-peer.sh's Dovecot: everything on 127.0.0.1
# (IMAP 21143, IMAPS 21993, POP3 21110, POP3S 21995, LMTP 21024), users
# bench1..bench500 with password "pass" in a passwd-file, maildir under
# /var/tmp/postern-bench-imap/mail/<user>, fsync on (group commit), one worker
# per core. Log: /var/tmp/postern-bench-imap/posternd.log.
# POSTERN_BENCH_DIR and POSTERN_BENCH_PORT_BASE (default 21000: IMAP on
# base+143, and so on) run a second instance beside the first.
set -euo pipefail

BASE=${POSTERN_BENCH_DIR:-/var/tmp/postern-bench-imap}
POSTERND=${2:-$(cd "$(dirname "$0")/../.." && pwd)/build/src/master/posternd}
N_BENCH=${POSTERN_BENCH_USERS:-500}
PORT_BASE=${POSTERN_BENCH_PORT_BASE:-21000}

start() {
	install -d "$BASE" "$BASE/mail"
	: >"$BASE/users"
	for ((i = 1; i <= N_BENCH; i++)); do
		echo "bench$i:{PLAIN}pass::::::" >>"$BASE/users"
	done
	cat >"$BASE/postern.conf" <<CONF
data_dir = $BASE/var
log_level = warning

[imap]
listen = 127.0.0.1:$((PORT_BASE + 143))
listen_tls = 127.0.0.1:$((PORT_BASE + 993))

[pop3]
listen = 127.0.0.1:$((PORT_BASE + 110))
listen_tls = 127.0.0.1:$((PORT_BASE + 995))

[lmtp]
listen = 127.0.0.1:$((PORT_BASE + 24))

[auth]
passdb = passwd-file:$BASE/users
# as the Dovecot peer: LMTP recipients may carry any domain
username_format = %Ln

[storage]
mail_location = maildir:$BASE/mail/%u
fsync = group
CONF
	if [[ -f $BASE/posternd.pid ]] && kill -0 "$(cat "$BASE/posternd.pid")" 2>/dev/null; then
		stop
	fi
	(cd "$BASE" && exec "$POSTERND" -c "$BASE/postern.conf" \
		>>"$BASE/posternd.log" 2>&1) &
	echo $! >"$BASE/posternd.pid"
	for _ in $(seq 100); do
		(exec 3<>/dev/tcp/127.0.0.1/$((PORT_BASE + 143))) 2>/dev/null && break
		sleep 0.1
	done
	echo "postern-bench: running (pid $(cat "$BASE/posternd.pid"))"
}

stop() {
	[[ -f $BASE/posternd.pid ]] || return 0
	kill "$(cat "$BASE/posternd.pid")" 2>/dev/null || true
	for _ in $(seq 100); do
		kill -0 "$(cat "$BASE/posternd.pid")" 2>/dev/null || break
		sleep 0.1
	done
	rm -f "$BASE/posternd.pid"
}

case ${1:-} in
start) start ;;
stop) stop ;;
pid) cat "$BASE/posternd.pid" ;;
wipe-mail) stop; rm -rf "$BASE/mail" "$BASE/var" ;;
*) echo "usage: $0 start|stop|pid|wipe-mail [POSTERND]" >&2; exit 2 ;;
esac
