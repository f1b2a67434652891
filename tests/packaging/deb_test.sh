#!/usr/bin/env bash
# The Debian package as a user meets it: built with CPack from this build tree, installed with
# apt into a fresh Debian bookworm root (mmdebstrap; the root is cached in
# ~/.cache/vessel/bookworm-root.tar), its units checked with systemd-analyze, vesseld started
# there by its unit's ExecStart line (no systemd runs in a chroot), a VM of the default guest
# run through the installed CLI, and the package removed: no process may be left.
# Usage: deb_test.sh BUILD_DIR. Exit 77 (ctest: skipped) with the reason where it cannot run.
set -uo pipefail
BUILD=$(realpath "${1:?usage: deb_test.sh BUILD_DIR}")
REPO=$(cd "$(dirname "$0")/../.." && pwd)
skip() { echo "SKIPPED: $*"; exit 77; }
[ "$(id -u)" -eq 0 ] || skip "needs root (chroot)"
command -v mmdebstrap >/dev/null || skip "mmdebstrap is not installed (scripts/install-deps.sh installs it)"
command -v cpack >/dev/null || skip "cpack is not installed"
GUEST=$("$REPO/scripts/guest-dir.sh") || skip "no guest (scripts/guest-dir.sh failed)"

CACHE=${XDG_CACHE_HOME:-$HOME/.cache}/vessel
mkdir -p "$CACHE"
if [ ! -s "$CACHE/bookworm-root.tar" ]; then
  echo "deb_test: making a bookworm root with mmdebstrap (once; cached in $CACHE)"
  mmdebstrap --variant=minbase --format=tar --include=systemd bookworm "$CACHE/bookworm-root.tar.part" >"$CACHE/mmdebstrap.log" 2>&1 \
    || skip "mmdebstrap could not build a bookworm root (no access to Debian's archive?): $(tail -1 "$CACHE/mmdebstrap.log")"
  mv "$CACHE/bookworm-root.tar.part" "$CACHE/bookworm-root.tar"
fi

WORK=$(mktemp -d /tmp/vessel-deb-XXXXXX)
ROOT=$WORK/root
failures=0
check() {  # check NAME EXPECTED ACTUAL
  if [ "$2" == "$3" ]; then echo "ok   $1"; else echo "FAIL $1: expected [$2] got [$3]"; failures=$((failures + 1)); fi
}
in_root() { chroot "$ROOT" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root "$@"; }
# Processes whose root directory is the test's root: what the package left running.
processes_in_root() {
  for p in /proc/[0-9]*; do [ "$(readlink "$p/root" 2>/dev/null)" = "$ROOT" ] && echo "${p#/proc/}"; done
}
cleanup() {
  for pid in $(processes_in_root); do kill -9 "$pid" 2>/dev/null; done
  for m in dev/pts dev proc sys; do umount -l "$ROOT/$m" 2>/dev/null; done
  umount -l "$ROOT" 2>/dev/null
  rm -rf "$WORK"
}
trap cleanup EXIT

(cd "$BUILD" && cpack -G DEB -B "$WORK/pkg" >/dev/null) || { echo "FAIL cpack"; exit 1; }
DEB=$(ls "$WORK"/pkg/vessel_*.deb)
mkdir -p "$ROOT" && tar -C "$ROOT" -xf "$CACHE/bookworm-root.tar"
# The root is a mount point of its own, as / is on a real machine: the VMM jail (pivot_root,
# a private /) refuses to run where / is merely a chroot directory.
mount --bind "$ROOT" "$ROOT" || { echo "FAIL bind mount of the root"; exit 1; }
cp /etc/resolv.conf "$ROOT/etc/resolv.conf"
mount -t proc proc "$ROOT/proc" && mount --rbind /sys "$ROOT/sys" && mount --rbind /dev "$ROOT/dev" || { echo "FAIL mounts"; exit 1; }
cp "$DEB" "$ROOT/tmp/vessel.deb"
mkdir -p "$ROOT/guest" && cp "$GUEST/Image" "$GUEST/initramfs.cpio.gz" "$ROOT/guest/"

if ! in_root sh -c 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq /tmp/vessel.deb' >"$WORK/apt.log" 2>&1; then
  grep -qi "could not resolve\|failed to fetch\|temporary failure" "$WORK/apt.log" && skip "no access to Debian's archive from the root"
  echo "FAIL apt install:"; tail -20 "$WORK/apt.log"; exit 1
fi
check "installed" "install ok installed" "$(in_root dpkg-query -W -f='${Status}' vessel)"
check "group vessel" vessel "$(in_root getent group vessel | cut -d: -f1)"
check "state directory" "750 root vessel" "$(in_root stat -c '%a %U %G' /var/lib/vessel)"
for f in /usr/share/man/man1/vessel.1.gz /usr/share/man/man8/vesseld.8.gz /usr/share/bash-completion/completions/vessel \
         /usr/share/zsh/vendor-completions/_vessel /usr/share/vessel/web/index.html; do
  check "ships $f" yes "$([ -s "$ROOT$f" ] && echo yes)"
done
check "bash completion loads" ok "$(in_root bash -c '. /usr/share/bash-completion/completions/vessel && complete -p vessel >/dev/null && echo ok')"
verify=$(in_root systemd-analyze verify --man=no /usr/lib/systemd/system/vesseld.socket /usr/lib/systemd/system/vesseld.service 2>&1)
check "systemd-analyze verify" "" "$verify"

# The unit's own command line, started as vesseld.socket would: systemd-socket-activate holds
# the socket and runs the daemon with it as fd 3 (LISTEN_FDS) on the first connection.
exec_start=$(sed -n 's/^ExecStart=//p' "$ROOT/usr/lib/systemd/system/vesseld.service")
listen=$(sed -n 's/^ListenStream=//p' "$ROOT/usr/lib/systemd/system/vesseld.socket")
in_root sh -c "mkdir -p /run/vessel && exec systemd-socket-activate -l $listen $exec_start" >"$WORK/vesseld.out" 2>&1 &
for _ in $(seq 200); do [ -S "$ROOT$listen" ] && break; sleep 0.05; done  # bounded readiness poll
check "socket activation: the API answers" "" "$(in_root vessel vm ls 2>&1 | grep -v '^NAME')"
in_root vessel vm create t1 --kernel /guest/Image --initrd /guest/initramfs.cpio.gz --cmdline "console=ttyS0 quiet" \
  --memory 128M --start >/dev/null
check "a VM runs through the installed CLI" running "$(in_root vessel vm show t1 --json | sed -n 's/.*"state": "\([a-z]*\)".*/\1/p' | head -1)"
check "vessel ls --quiet" "vm t1 running" "$(in_root vessel ls --quiet)"
check "dashboard files found by the installed daemon" yes "$(in_root sh -c 'test -f /usr/share/vessel/web/app.js && echo yes')"

in_root dpkg -r vessel >"$WORK/remove.log" 2>&1 || { echo "FAIL dpkg -r:"; cat "$WORK/remove.log"; failures=$((failures + 1)); }
left=$(processes_in_root | wc -l)
check "removal leaves no process (daemon, VMM)" 0 "$left"
[ "$left" -eq 0 ] || ps -o pid,args -p "$(processes_in_root | paste -sd,)"

[ "$failures" -eq 0 ] && echo "deb package: all checks passed"
exit $((failures > 0))
