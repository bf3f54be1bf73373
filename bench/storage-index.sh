#!/bin/bash
# bench/storage-index.sh [COUNT]
#
# Time to open and index a fresh COUNT-message maildir (default 100000), time
# to re-sync it when nothing changed, and the index size on disk: Postern's
# storage layer beside Debian's Dovecot on the same maildir, RUNS times each
# (default 5), alternating, medians and ratios printed.
#
# The maildir is what another server or an MDA leaves: files in cur/ with
# S= and W= in their names, LF line ends, no dovecot-uidlist, no index
# (bench/make-maildir.py). Postern opens it through storage-tool (the
# storage API and posternctl's "mailbox status"); Dovecot through
# "doveadm mailbox status" of the private reference instance
# (/work/shared/bench/dovecot-peer.sh), with mail_location pointed at a copy
# so no real user's mail is touched. Both with their default fsync
# settings; page cache warm (the copies were just written).
#
# Needs: a built tree (ninja -C build), root (to chown the Dovecot copy to
# vmail), dovecot-core.
set -euo pipefail

COUNT=${1:-100000}
RUNS=${RUNS:-5}
HERE=$(cd "$(dirname "$0")/.." && pwd)
TOOL=${STORAGE_TOOL:-$HERE/build/tests/storage/storage-tool}
PEER=${DOVECOT_PEER:-/work/shared/bench/dovecot-peer.sh}
CONF=/var/tmp/dovecot-peer/dovecot.conf
DUSER=${DOVECOT_USER:-testuser1}

[ -x "$TOOL" ] || { echo "build first: ninja -C build ($TOOL missing)" >&2; exit 1; }
"$PEER" start >/dev/null
WORK=$(mktemp -d /var/tmp/postern-bench-index-XXXXXX)
chmod 755 "$WORK"
trap 'rm -rf "$WORK"' EXIT

echo "making a $COUNT-message maildir..." >&2
python3 "$HERE/bench/make-maildir.py" "$WORK/src/Maildir" "$COUNT"

now_ns() { date +%s%N; }
# ms SECONDS_NS_START: milliseconds since start
ms_since() { echo $(( ($(now_ns) - $1) / 1000000 )); }

postern() { "$TOOL" -l "maildir:$1/Maildir" mailbox status bench INBOX 2>/dev/null; }
dovecot() { doveadm -c "$CONF" -o "mail_location=maildir:$1/Maildir" \
	mailbox status -u "$DUSER" 'messages unseen uidnext' INBOX; }

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : int((a[NR/2]+a[NR/2+1])/2)}'; }

declare -a P_FIRST D_FIRST P_RESYNC D_RESYNC P_SIZE D_SIZE P_UIDLIST D_UIDLIST
for run in $(seq 1 "$RUNS"); do
	rm -rf "$WORK/p" "$WORK/d"
	cp -a "$WORK/src" "$WORK/p"
	cp -a "$WORK/src" "$WORK/d"
	chown -R vmail:vmail "$WORK/d"
	sync
	for who in postern dovecot; do
		dir=$WORK/${who:0:1}
		t=$(now_ns); out=$($who "$dir"); first=$(ms_since "$t")
		echo "$out" | grep -q 'messages=\?'"$COUNT" ||
			{ echo "$who: unexpected status: $out" >&2; exit 1; }
		resync=()
		for i in 1 2 3 4 5; do
			t=$(now_ns); $who "$dir" >/dev/null; resync+=("$(ms_since "$t")")
		done
		r=$(printf '%s\n' "${resync[@]}" | median)
		if [ "$who" = postern ]; then
			P_FIRST+=("$first"); P_RESYNC+=("$r")
			P_SIZE+=("$(du -cb "$dir"/Maildir/postern-index.db* | tail -1 | cut -f1)")
			P_UIDLIST+=("$(stat -c %s "$dir/Maildir/dovecot-uidlist" 2>/dev/null || echo 0)")
		else
			D_FIRST+=("$first"); D_RESYNC+=("$r")
			D_SIZE+=("$(du -cb "$dir"/Maildir/dovecot.index* | tail -1 | cut -f1)")
			D_UIDLIST+=("$(stat -c %s "$dir/Maildir/dovecot-uidlist")")
		fi
	done
	echo "run $run: postern ${P_FIRST[-1]} ms / ${P_RESYNC[-1]} ms, dovecot ${D_FIRST[-1]} ms / ${D_RESYNC[-1]} ms" >&2
done

pf=$(printf '%s\n' "${P_FIRST[@]}" | median); df=$(printf '%s\n' "${D_FIRST[@]}" | median)
pr=$(printf '%s\n' "${P_RESYNC[@]}" | median); dr=$(printf '%s\n' "${D_RESYNC[@]}" | median)
ps=$(printf '%s\n' "${P_SIZE[@]}" | median); ds=$(printf '%s\n' "${D_SIZE[@]}" | median)
pu=$(printf '%s\n' "${P_UIDLIST[@]}" | median); du_=$(printf '%s\n' "${D_UIDLIST[@]}" | median)
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b == 0) print "-"; else printf "%.2f", a / b }'; }

printf '\n%d messages, median of %d runs (each re-sync: median of 5)\n' "$COUNT" "$RUNS"
printf '%-34s %12s %12s %14s\n' "" "Postern" "Dovecot" "Postern/Dovecot"
printf '%-34s %10s ms %10s ms %14s\n' "open + index a fresh maildir" "$pf" "$df" "$(ratio "$pf" "$df")"
printf '%-34s %10s ms %10s ms %14s\n' "re-sync, nothing changed" "$pr" "$dr" "$(ratio "$pr" "$dr")"
printf '%-34s %10s KB %10s KB %14s\n' "index on disk" "$((ps / 1024))" "$((ds / 1024))" "$(ratio "$ps" "$ds")"
printf '%-34s %10s KB %10s KB %14s\n' "dovecot-uidlist (UID record)" "$((pu / 1024))" "$((du_ / 1024))" "$(ratio "$pu" "$du_")"
echo "(times include process start-up: storage-tool vs doveadm)"
