#!/bin/sh
# Guest side of bench/programs: Debian's sqlite3 runs sqlite.sql on a new database in /tmp and
# its output is checked against the expected rows. The guest kernel has no file locking
# (CONFIG_FILE_LOCKING off), so the database is opened with SQLite's lock-free unix-none VFS.
set -eu
rm -f /tmp/bench.db
out=$(/opt/debian/bin/sqlite3 'file:/tmp/bench.db?vfs=unix-none' </bench/debian/sqlite.sql)
rm -f /tmp/bench.db
expected='25000|12497903810
7477
name-10003|2
name-10004|2
2081291.625
3088853
19998|name-9998'
if [ "$out" != "$expected" ]; then
  printf 'sqlite: unexpected output:\n%s\n' "$out"
  exit 1
fi
echo "sqlite: ok"
