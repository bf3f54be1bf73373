#!/usr/bin/env python3
"""Medians of lmtp-bench.py's JSON lines per (server, connections, size),
and Postern's ratio to Dovecot, as a Markdown table."""

import json
import statistics
import sys
from collections import defaultdict


def main(path):
    runs = defaultdict(list)
    lost = 0
    with open(path) as f:
        for line in f:
            r = json.loads(line)
            runs[(r["label"], r["connections"], r["size"])].append(r)
            if r.get("on_disk", r["acked"]) < r["acked"]:
                lost += 1
    print("| size | conns | Postern msg/s | Dovecot msg/s | ratio of medians "
          "| median of paired ratios | Postern p99 ms | Dovecot p99 ms "
          "| runs |")
    print("|---|---|---|---|---|---|---|---|---|")
    for size in sorted({k[2] for k in runs}):
        for conns in sorted({k[1] for k in runs}):
            p = runs.get(("postern", conns, size), [])
            d = runs.get(("dovecot", conns, size), [])
            if not p or not d:
                continue
            pr = statistics.median(r["rate"] for r in p)
            dr = statistics.median(r["rate"] for r in d)
            pp = statistics.median(r["p99_ms"] for r in p)
            dp = statistics.median(r["p99_ms"] for r in d)
            # each Postern run against the Dovecot run right after it:
            # the machine's load drifts less within a pair
            paired = statistics.median(a["rate"] / b["rate"]
                                       for a, b in zip(p, d) if b["rate"])
            print("| %d KB | %d | %.0f | %.0f | %.2fx | %.2fx | %.1f | %.1f "
                  "| %d |" % (size // 1024, conns, pr, dr,
                              pr / dr if dr else 0, paired, pp, dp, len(p)))
    failed = sum(r["failed"] for rs in runs.values() for r in rs)
    print("\nfailed deliveries: %d; runs with fewer files on disk than "
          "250s: %d" % (failed, lost))


if __name__ == "__main__":
    main(sys.argv[1])
