#!/bin/sh
# Guest side of bench/programs: Debian's xz (-1, one thread) compresses the corpus and decompresses it again;
# the round trip is checked with cmp.
set -eu
xz=/opt/debian/bin/xz
"$xz" -1 -T1 -c /bench/data/corpus.txt >/tmp/corpus.xz
"$xz" -d -c /tmp/corpus.xz >/tmp/corpus.out
cmp /tmp/corpus.out /bench/data/corpus.txt
echo "xz: $(wc -c </bench/data/corpus.txt) -> $(wc -c </tmp/corpus.xz) bytes, round trip ok"
rm -f /tmp/corpus.xz /tmp/corpus.out
