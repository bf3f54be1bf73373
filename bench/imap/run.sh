#!/bin/bash
# Runs the IMAP benchmark against Postern and Debian's Dovecot side by side
# and prints every figure; see README.md. Run as root from a built tree:
#   bench/imap/run.sh [POSTERND]
# Environment: DOVECOT_PEER (path of dovecot-peer.sh), USERS, FIRST_USER,
# MESSAGES, DURATION, SESSIONS, SKIP_POPULATE=1.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
DOVECOT_PEER=${DOVECOT_PEER:-/work/shared/bench/dovecot-peer.sh}
USERS=${USERS:-50}
FIRST_USER=${FIRST_USER:-301}
MESSAGES=${MESSAGES:-200}
DURATION=${DURATION:-20}
SESSIONS=${SESSIONS:-1000}
load="python3 $here/imap-load.py"
users="--users $USERS --first-user $FIRST_USER"

"$DOVECOT_PEER" start >/dev/null
"$here/postern-bench.sh" start "${1:-}" >/dev/null
sleep 1
postern_pid=$("$here/postern-bench.sh" pid)
dovecot_pid=$(cat /var/tmp/dovecot-peer/run/master.pid)

if [[ -z ${SKIP_POPULATE:-} ]]; then
	for port in 21143 10143; do
		$load populate --port $port $users --messages "$MESSAGES"
	done
fi
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
for round in 1 2 3; do
	for name in postern dovecot; do
		port=$([[ $name == postern ]] && echo 21143 || echo 10143)
		pid=$([[ $name == postern ]] && echo "$postern_pid" || echo "$dovecot_pid")
		echo "== $name: mix, round $round (load $(cut -d' ' -f1 /proc/loadavg))"
		$load mix --port "$port" $users --duration "$DURATION" \
			--server-pid "$pid"
	done
done
for name in postern dovecot; do
	port=$([[ $name == postern ]] && echo 21143 || echo 10143)
	lmtp=$([[ $name == postern ]] && echo 21024 || echo 10024)
	echo "== $name: push (IDLE sessions settled 8 s, so Dovecot hibernated them)"
	$load push --port "$port" --lmtp-port "$lmtp" $users --deliveries 300 \
		--settle 8
	$load push --port "$port" $users --deliveries 300 --settle 8
done
for name in postern dovecot; do
	port=$([[ $name == postern ]] && echo 21993 || echo 10993)
	pid=$([[ $name == postern ]] && echo "$postern_pid" || echo "$dovecot_pid")
	echo "== $name: memory of idle TLS sessions"
	sleep 5
	$load idle-mem --port "$port" --tls $users --sessions "$SESSIONS" \
		--wait 15 --server-pid "$pid"
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
