# Shared helpers of the benchmark scripts (sourced).
# median: the middle of the numbers on stdin.
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
# guest_root GUEST_DIR ROOT: a writable copy of the test guest's rootfs with its busybox, into
# which a bench adds /etc/run/NAME.sh scripts (run by the guest's init for run=NAME).
guest_root() {
  cp -r "$1/rootfs" "$2"
  chmod -R u+w "$2"
  mkdir -p "$2/bin" "$2/proc" "$2/sys" "$2/dev" "$2/tmp"
  cp "$1/busybox" "$2/bin/busybox"
}
