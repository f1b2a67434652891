#!/bin/sh
# run=smp: one sha256 job of 16 MiB per online hart, all in parallel.
# Prints harts: <n>, the digests, and smp-seconds-in-guest: <seconds>.
uptime_now() { cut -d' ' -f1 /proc/uptime; }
harts=$(grep -c '^processor' /proc/cpuinfo)
echo "harts: $harts"
dd if=/dev/zero of=/tmp/smp.dat bs=1M count=16 2>/dev/null || exit 1
start=$(uptime_now)
i=0
while [ "$i" -lt "$harts" ]; do
  sha256sum /tmp/smp.dat > "/tmp/smp.$i" &
  i=$((i + 1))
done
wait
end=$(uptime_now)
cat /tmp/smp.[0-9]*
rm -f /tmp/smp.dat /tmp/smp.[0-9]*
echo "smp-seconds-in-guest: $(awk -v a="$start" -v b="$end" 'BEGIN { print b - a }')"
