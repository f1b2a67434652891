#!/bin/sh
# run=cpu: CPU-bound work on one hart: sha256 and gzip of 32 MiB held in tmpfs.
# Prints the digests (so a wrong result is visible) and cpu-seconds-in-guest: <seconds>.
uptime_now() { cut -d' ' -f1 /proc/uptime; }
dd if=/dev/zero of=/tmp/cpu.dat bs=1M count=32 2>/dev/null || exit 1
start=$(uptime_now)
sha256sum /tmp/cpu.dat || exit 1
gzip -c /tmp/cpu.dat | md5sum || exit 1
end=$(uptime_now)
rm -f /tmp/cpu.dat
echo "cpu-seconds-in-guest: $(awk -v a="$start" -v b="$end" 'BEGIN { print b - a }')"
