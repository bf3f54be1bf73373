#!/usr/bin/env python3
"""make-maildir.py DIR COUNT: a fresh maildir of COUNT messages as another
server or an MDA left it: files in cur/ named <time>.M<n>P<pid>.<host>,
S=<size>,W=<vsize>:2,<flags> (LF line ends, as Dovecot and procmail write),
no dovecot-uidlist, no index. Sizes 1-8 KiB, a third unseen."""

import os
import random
import sys


def main():
    root, count = sys.argv[1], int(sys.argv[2])
    rng = random.Random(1)
    for sub in ("cur", "new", "tmp"):
        os.makedirs(os.path.join(root, sub), exist_ok=True)
    body_line = "Lorem ipsum dolor sit amet, consectetur adipiscing elit.\n"
    t0 = 1700000000
    for i in range(count):
        lines = rng.randint(15, 140)
        text = ("From: sender%d@example.org\nTo: bench@example.org\n"
                "Subject: message %d\nDate: Tue, 14 Nov 2023 22:13:20 +0000\n"
                "Message-ID: <%d@example.org>\n\n" % (i % 500, i, i)
                + body_line * lines)
        data = text.encode()
        vsize = len(data) + data.count(b"\n")
        flags = "" if i % 3 == 0 else "S"
        name = "%d.M%dP4242.bench,S=%d,W=%d:2,%s" % (t0 + i // 10, i,
                                                     len(data), vsize, flags)
        path = os.path.join(root, "cur", name)
        with open(path, "wb") as f:
            f.write(data)
        os.utime(path, (t0 + i // 10, t0 + i // 10))


if __name__ == "__main__":
    main()
