#!/bin/sh
# Guest side of bench/programs: Debian's gzip (-9) compresses the corpus and decompresses it again;
# the round trip is checked with cmp.
set -eu
gzip=/opt/debian/bin/gzip
"$gzip" -9 -c /bench/data/corpus.txt >/tmp/corpus.gzip
"$gzip" -d -c /tmp/corpus.gzip >/tmp/corpus.out
cmp /tmp/corpus.out /bench/data/corpus.txt
echo "gzip: $(wc -c </bench/data/corpus.txt) -> $(wc -c </tmp/corpus.gzip) bytes, round trip ok"
rm -f /tmp/corpus.gzip /tmp/corpus.out
