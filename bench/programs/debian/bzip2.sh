#!/bin/sh
# Guest side of bench/programs: Debian's bzip2 (default level 9) compresses the corpus and decompresses it again;
# the round trip is checked with cmp.
set -eu
bzip2=/opt/debian/bin/bzip2
"$bzip2" -c /bench/data/corpus.txt >/tmp/corpus.bzip2
"$bzip2" -d -c /tmp/corpus.bzip2 >/tmp/corpus.out
cmp /tmp/corpus.out /bench/data/corpus.txt
echo "bzip2: $(wc -c </bench/data/corpus.txt) -> $(wc -c </tmp/corpus.bzip2) bytes, round trip ok"
rm -f /tmp/corpus.bzip2 /tmp/corpus.out
