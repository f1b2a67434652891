#!/usr/bin/env bash
# Ordinary programs in the guest, vessel against QEMU 7.2 TCG (-machine virt): the small C
# kernels of bench/programs (programs.list; floating point and integer, each self-checking),
# cross-compiled with Debian's riscv64-linux-gnu-gcc -O2 -static, packed into the guest's
# initramfs and run one after another in one boot (run=programs), each timed inside the guest
# by bench/programs/guest/timeit.c. Same kernel, initramfs, memory and one hart on both sides;
# each round boots vessel and QEMU once each, alternating which goes first; medians over RUNS
# rounds. Prints per program the seconds on each side, QEMU's time over vessel's (>1: vessel
# faster) and the range of that ratio over the rounds, the native time on the host if built,
# and the geometric means (all, fp, int; C kernels, Debian programs).
# Usage: bench/programs/run.sh VESSEL_BIN PROGRAMS_DIR [GUEST_DIR]
#   PROGRAMS_DIR: riscv64/NAME and timeit (guest) and optionally native/NAME (host), as built by
#   the vessel-bench-all target into BUILD/bench/programs.
# ENGINE=interp measures vessel's interpreter (default jit); RUNS=N rounds (default 3);
# KEEP_LOGS=DIR keeps each boot's console output there; DEBIAN_DIR=DIR (the output of
# bench/programs/debian/fetch.sh) adds Debian's riscv64 gzip, bzip2, xz and sqlite3 (the rows
# marked debian in programs.list, run on a 1 MB text made by debian/corpus.awk).
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
usage="usage: run.sh VESSEL_BIN PROGRAMS_DIR [GUEST_DIR]"
vessel=${1:?$usage}
progs=${2:?$usage}
here=$(cd "$(dirname "$0")" && pwd)
guest=${3:-$("$here/../../scripts/guest-dir.sh")}
runs=${RUNS:-3}
engine=${ENGINE:-jit}
mem=256M
die() { echo "bench/programs/run.sh: $*" >&2; exit 1; }

[ -x "$vessel" ] || die "no vessel binary at $vessel"
command -v qemu-system-riscv64 >/dev/null || die "qemu-system-riscv64 is missing (Debian's qemu-system-misc)"
{ [ -f "$guest/Image" ] && [ -f "$guest/initramfs.cpio.gz" ]; } || die "no guest (Image, initramfs.cpio.gz) in $guest"
[ -x "$progs/timeit" ] || die "no $progs/timeit (build the vessel-bench-all target)"
debian=${DEBIAN_DIR:-}
[ -z "$debian" ] || [ -x "$debian/root/opt/debian/bin/gzip" ] ||
  die "DEBIAN_DIR=$debian holds no Debian programs (make it with bench/programs/debian/fetch.sh)"
names=() groups=() sources=()
while read -r name group source; do
  case "$name" in ''|'#'*) continue ;; esac
  if [ "${source:-}" = debian ]; then
    [ -n "$debian" ] || { skipped="${skipped:-} $name"; continue; }
  else
    [ -x "$progs/riscv64/$name" ] || die "no guest build of $name at $progs/riscv64/$name (build the vessel-bench-all target)"
  fi
  names+=("$name") groups+=("$group") sources+=("${source:-c}")
done <"$here/programs.list"
[ -z "${skipped:-}" ] || echo "not run:$skipped (Debian's programs: set DEBIAN_DIR, see bench/programs/debian/fetch.sh)" >&2

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The guest's initramfs plus the programs, the timer and the run script.
mkdir "$work/root"
(cd "$work/root" && gzip -dc "$guest/initramfs.cpio.gz" | cpio -id --quiet)
mkdir -p "$work/root/bench/bin"
install -m 755 "$progs/timeit" "$work/root/bin/timeit"
install -m 755 "$here/guest/programs.sh" "$work/root/etc/run/programs.sh"
if [ -n "$debian" ]; then
  cp -a "$debian/root/." "$work/root/"
  mkdir -p "$work/root/bench/debian" "$work/root/bench/data"
  install -m 644 "$here/debian/sqlite.sql" "$work/root/bench/debian/"
  awk -v bytes=1000000 -f "$here/debian/corpus.awk" >"$work/root/bench/data/corpus.txt"
fi
for i in "${!names[@]}"; do
  name=${names[$i]}
  if [ "${sources[$i]}" = debian ]; then
    install -m 755 "$here/debian/$name.sh" "$work/root/bench/debian/$name.sh"
    echo "$name /bin/sh /bench/debian/$name.sh" >>"$work/root/bench/list"
  else
    install -m 755 "$progs/riscv64/$name" "$work/root/bench/bin/$name"
    echo "$name /bench/bin/$name" >>"$work/root/bench/list"
  fi
done
(cd "$work/root" && find . | cpio -o -H newc --quiet | gzip -1 >"$work/initramfs.cpio.gz")
initrd=$work/initramfs.cpio.gz kernel=$guest/Image
append="console=ttyS0 quiet run=programs"

vessel_cmd() { "$vessel" run --engine "$engine" --kernel "$kernel" --initrd "$initrd" --memory "$mem" --cpus 1 --append "$append"; }
qemu_cmd() { qemu-system-riscv64 -machine virt -nographic -m "$mem" -smp 1 -kernel "$kernel" -initrd "$initrd" -append "$append"; }

# One boot running every program; appends each program's seconds to $work/SIDE.NAME.
boot() {  # side round
  local out=$work/$1.$2.log
  "${1}_cmd" </dev/null >"$out" 2>&1 || true  # the verdict is the guest's own exit line below
  if [ -n "${KEEP_LOGS:-}" ]; then mkdir -p "$KEEP_LOGS" && cp "$out" "$KEEP_LOGS/"; fi
  if ! grep -aq "VESSEL-RUN-EXIT=0" "$out"; then
    tail -n 30 "$out" >&2
    die "round $2 on $1: a program failed or the guest did not finish (console output above)"
  fi
  local name secs status
  while read -r _ name secs status; do
    [ "$status" = 0 ] || die "round $2 on $1: $name exited $status"
    echo "$secs" >>"$work/$1.$name"
  done < <(tr -d '\r' <"$out" | grep -a '^bench-program ')
  for name in "${names[@]}"; do [ -s "$work/$1.$name" ] || die "round $2 on $1: no time for $name"; done
}
for round in $(seq "$runs"); do
  if [ $((round % 2)) = 1 ]; then boot vessel "$round"; boot qemu "$round"; else boot qemu "$round"; boot vessel "$round"; fi
  echo "round $round of $runs done" >&2
done

# Natively on the host, where built (the C programs): median of RUNS.
for _ in $(seq "$runs"); do
  for name in "${names[@]}"; do
    [ -x "$progs/native/$name" ] || continue
    t0=$(date +%s.%N)
    "$progs/native/$name" >/dev/null || die "$name failed natively"
    t1=$(date +%s.%N)
    echo "$t1 - $t0" | bc -l >>"$work/native.$name"
  done
done

# The table, then the geometric means of QEMU's time over vessel's.
printf '%-8s %-5s %10s %10s %10s %13s %10s %14s\n' program group "vessel_s" qemu_s "vs qemu" "round range" native_s "vessel/native"
: >"$work/ratios"
tv=0 tq=0
for i in "${!names[@]}"; do
  name=${names[$i]} group=${groups[$i]}
  v=$(median <"$work/vessel.$name") q=$(median <"$work/qemu.$name")
  ratio=$(echo "$q / $v" | bc -l)
  # The lowest and highest of the rounds' own ratios (the two sides of a round run close in time).
  range=$(paste "$work/qemu.$name" "$work/vessel.$name" | awk 'NR == 1 || $1 / $2 < lo { lo = $1 / $2 } NR == 1 || $1 / $2 > hi { hi = $1 / $2 } END { printf "%.2f-%.2f", lo, hi }')
  echo "$group $ratio ${sources[$i]}" >>"$work/ratios"
  tv=$(echo "$tv + $v" | bc -l) tq=$(echo "$tq + $q" | bc -l)
  if [ -s "$work/native.$name" ]; then
    n=$(median <"$work/native.$name")
    printf '%-8s %-5s %10.3f %10.3f %9.2fx %13s %10.3f %13.1fx\n' "$name" "$group" "$v" "$q" "$ratio" "$range" "$n" "$(echo "$v / $n" | bc -l)"
  else
    printf '%-8s %-5s %10.3f %10.3f %9.2fx %13s %10s %14s\n' "$name" "$group" "$v" "$q" "$ratio" "$range" - -
  fi
done
printf '%-8s %-5s %10.3f %10.3f %9.2fx\n' total "" "$tv" "$tq" "$(echo "$tq / $tv" | bc -l)"
geomean() {  # all, a group (fp, int) or a source (c, debian)
  awk -v g="$1" '$1 == g || $3 == g || g == "all" { s += log($2); n++ } END { if (n) printf "%.2fx", exp(s / n); else printf "-" }' "$work/ratios"
}
echo "engine $engine, $runs round(s), medians; vs qemu = qemu_s / vessel_s (>1: vessel faster)"
echo "geomean vs qemu: all $(geomean all), fp $(geomean fp), int $(geomean int); C kernels $(geomean c), Debian programs $(geomean debian)"
