#!/bin/sh
# Guest side of bench/disk: sequential direct I/O on /dev/vda, timed inside the guest.
now() { cut -d' ' -f1 /proc/uptime; }
t0=$(now)
dd if=/dev/zero of=/dev/vda bs=1M count=64 oflag=direct 2>/dev/null
sync
t1=$(now)
dd if=/dev/vda of=/dev/null bs=1M count=64 iflag=direct 2>/dev/null
t2=$(now)
echo "disk-write-seconds: $(echo "$t1 $t0" | awk '{print $1-$2}')"
echo "disk-read-seconds: $(echo "$t2 $t1" | awk '{print $1-$2}')"
