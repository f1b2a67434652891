#!/bin/sh
# Builds Vessel's default guest from Debian sources (see guest/README.md):
#   Image              Linux 6.1 (Debian linux-source-6.1), tinyconfig + guest/linux.config, riscv64
#   initramfs.cpio.gz  static busybox (Debian busybox source package) + guest/rootfs/
#   busybox            that busybox binary, for composing other test initramfs images
#   linux-riscv64.config, BUILD-INFO, SHA256SUMS
# into a cache directory outside the work tree:
#   $VESSEL_GUEST_CACHE, default ${XDG_CACHE_HOME:-$HOME/.cache}/vessel/guest
#
# Usage: guest/build.sh [--check | --force | --print-cache]
#   (none)         build unless the cache already matches this recipe (then a no-op)
#   --check        exit 0 if the cache is up to date, 1 if a build is needed; builds nothing
#   --force        rebuild from scratch (also downloads the busybox source again)
#   --print-cache  print the cache directory
# Environment: VESSEL_GUEST_CACHE, VESSEL_GUEST_JOBS (make -j, default 2),
#              VESSEL_GUEST_KEEP_WORK=1 (keep the source and build trees in CACHE/work).
#
# It installs nothing: it checks for its tools and names the missing Debian packages
# (scripts/install-deps.sh installs them all and adds the deb-src entry `apt-get source` needs).
# About 10 to 20 minutes on 2 cores; ~1.5 GB of temporary space in CACHE/work.
set -eu

recipe=$(cd "$(dirname "$0")" && pwd)
cache=${VESSEL_GUEST_CACHE:-${XDG_CACHE_HOME:-${HOME:?}/.cache}/vessel/guest}
jobs=${VESSEL_GUEST_JOBS:-2}
cross=riscv64-linux-gnu-
linux_tar=/usr/src/linux-source-6.1.tar.xz
linux_pkg=linux-source-6.1

say() { echo "guest/build.sh: $*" >&2; }
die() { say "error: $*"; exit 1; }

mode=build
case "${1:-}" in
  '') ;;
  --check) mode=check ;;
  --force) mode=force ;;
  --print-cache) echo "$cache"; exit 0 ;;
  -h|--help) sed -n '2,/^set -eu/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
  *) die "unknown option $1 (try --help)" ;;
esac

# --- the stamp: a hash of everything in the recipe that shapes the output (not README.md) ---
recipe_hash() {
  (
    cd "$recipe"
    find build.sh linux.config rootfs \( -type f -o -type l \) -print | LC_ALL=C sort |
      while IFS= read -r f; do
        if [ -L "$f" ]; then kind="link $(readlink "$f")"
        elif [ -x "$f" ]; then kind="exec $(sha256sum < "$f")"
        else kind="file $(sha256sum < "$f")"; fi
        printf '%s %s\n' "$f" "$kind"
      done
  ) | sha256sum | cut -d' ' -f1
}
stamp="recipe-sha256=$(recipe_hash)"

up_to_date() {
  [ -f "$cache/STAMP" ] && [ "$(cat "$cache/STAMP")" = "$stamp" ] || return 1
  (cd "$cache" && sha256sum --quiet --check SHA256SUMS) >/dev/null 2>&1
}

note_newer_kernel_source() {
  installed=$(dpkg-query -W -f='${Version}' "$linux_pkg" 2>/dev/null || true)
  built=$(sed -n "s/^$linux_pkg=//p" "$cache/BUILD-INFO" 2>/dev/null || true)
  if [ -n "$installed" ] && [ -n "$built" ] && [ "$installed" != "$built" ]; then
    say "note: the cached kernel is from $linux_pkg $built, $installed is installed; guest/build.sh --force rebuilds"
  fi
}

if [ "$mode" = check ]; then
  up_to_date && exit 0 || exit 1
fi
if [ "$mode" = build ] && up_to_date; then
  note_newer_kernel_source
  say "up to date: $cache"
  exit 0
fi

# --- tools: name the Debian packages that are missing ---
missing=
need() {  # need COMMAND-OR-/PATH PACKAGE
  case "$1" in
    /*) [ -e "$1" ] ;;
    *) command -v "$1" >/dev/null 2>&1 ;;
  esac || case " $missing " in *" $2 "*) ;; *) missing="$missing $2" ;; esac
}
need "${cross}gcc" gcc-riscv64-linux-gnu
need "${cross}ld" binutils-riscv64-linux-gnu
need "${cross}readelf" binutils-riscv64-linux-gnu
need /usr/riscv64-linux-gnu/lib/libc.a libc6-dev-riscv64-cross
need "$linux_tar" "$linux_pkg"
need gcc build-essential
need make build-essential
need bc bc
need flex flex
need bison bison
need perl perl
need xz xz-utils
need bzip2 bzip2
need gzip gzip
need cpio cpio
need dpkg-source dpkg-dev
need apt-get apt
need flock util-linux
if [ -n "$missing" ]; then
  say "missing Debian packages:$missing"
  say "install them with: apt-get install$missing"
  say "(or run scripts/install-deps.sh, which also adds the deb-src entry needed for busybox)"
  exit 1
fi

# --- one build at a time per cache (parallel test runs may all ask for the guest) ---
mkdir -p "$cache"
cache=$(cd "$cache" && pwd)
exec 9>"$cache/.lock"
if ! flock -n 9; then
  say "another build is running in $cache; waiting for it"
  flock 9
  if [ "$mode" = build ] && up_to_date; then say "up to date: $cache"; exit 0; fi
fi

t_start=$(date +%s)
elapsed() { t=$(( $(date +%s) - t_start )); printf '%dm%02ds' $((t / 60)) $((t % 60)); }
work=$cache/work
log=$cache/build.log
: > "$log"
step() { say "[$(elapsed)] $*"; echo "=== $*" >> "$log"; }
fail() {
  say "error: $* -- last lines of $log:"
  tail -n 25 "$log" >&2
  exit 1
}

rm -f "$cache/STAMP"
rm -rf "$work"
mkdir -p "$work" "$cache/src"
say "building the guest in $cache (about 10-20 minutes; log: $log)"

# Reproducible output: fixed build user/host, and all timestamps from the kernel source package.
SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(stat -c %Y "$linux_tar")}
export SOURCE_DATE_EPOCH
export KBUILD_BUILD_USER=vessel KBUILD_BUILD_HOST=vessel KBUILD_BUILD_VERSION=1
KBUILD_BUILD_TIMESTAMP=$(LC_ALL=C date -u -d "@$SOURCE_DATE_EPOCH")
export KBUILD_BUILD_TIMESTAMP
export LC_ALL=C

# --- 1. busybox source (first: it is the step that needs the network) ---
if [ "$mode" = force ]; then rm -rf "$cache/src"; mkdir -p "$cache/src"; fi
dsc=$(ls "$cache"/src/busybox_*.dsc 2>/dev/null | sort -V | tail -n 1 || true)
if [ -z "$dsc" ]; then
  step "downloading Debian's busybox source package (apt-get source --download-only busybox)"
  if [ -z "$(apt-cache showsrc busybox 2>/dev/null)" ]; then
    die "apt knows no busybox source package: there is no deb-src entry for Debian's main archive.
  Run scripts/install-deps.sh (it adds /etc/apt/sources.list.d/vessel-deb-src.sources and runs apt-get update)."
  fi
  rm -rf "$cache/src.tmp" && mkdir -p "$cache/src.tmp"
  (cd "$cache/src.tmp" && apt-get source --download-only busybox) >> "$log" 2>&1 ||
    fail "apt-get source busybox failed"
  mv "$cache"/src.tmp/* "$cache/src/" && rmdir "$cache/src.tmp"
  dsc=$(ls "$cache"/src/busybox_*.dsc | sort -V | tail -n 1)
fi
bb_version=$(sed -n 's/^Version: //p' "$dsc" | head -n 1)

# --- 2. busybox: Debian's patched source, defconfig, static, cross-compiled ---
step "building busybox $bb_version (static, riscv64)"
dpkg-source -x "$dsc" "$work/busybox" >> "$log" 2>&1 || fail "dpkg-source -x $dsc failed"
# (Steps are chained with &&: `set -e` does not apply inside a ( ... ) || fail.)
(
  cd "$work/busybox" &&
  make defconfig &&
  # Static, so the initramfs needs no libraries; no tc (it does not build against 6.x uapi headers).
  sed -i -e 's/^# CONFIG_STATIC is not set$/CONFIG_STATIC=y/' \
         -e 's/^CONFIG_TC=y$/# CONFIG_TC is not set/' .config &&
  make oldconfig < /dev/null &&
  grep -qx 'CONFIG_STATIC=y' .config &&
  nice -n 10 make -j"$jobs" CROSS_COMPILE="$cross" BB_EXTRA_VERSION="Debian $bb_version" busybox
) >> "$log" 2>&1 || fail "busybox build failed"
bb=$work/busybox/busybox
"${cross}readelf" -h "$bb" | grep -q 'RISC-V' || fail "$bb is not a RISC-V binary"
if "${cross}readelf" -l "$bb" | grep -q INTERP; then fail "$bb is not statically linked"; fi

# --- 3. kernel: tinyconfig + linux.config, every fragment line checked, then Image ---
kver=$(dpkg-query -W -f='${Version}' "$linux_pkg")
step "unpacking $linux_pkg $kver"
tar -xJf "$linux_tar" -C "$work" || fail "cannot unpack $linux_tar"
ksrc=$work/linux-source-6.1
kmake() { nice -n 10 make -C "$ksrc" ARCH=riscv CROSS_COMPILE="$cross" "$@"; }
step "configuring Linux: tinyconfig + guest/linux.config"
(
  kmake tinyconfig &&
  cd "$ksrc" && ./scripts/kconfig/merge_config.sh -m -O . .config "$recipe/linux.config" &&
  kmake olddefconfig
) >> "$log" 2>&1 || fail "kernel configuration failed"
bad=
grep -E '^CONFIG_[A-Za-z0-9_]+=' "$recipe/linux.config" > "$work/fragment.lines" || true
while IFS= read -r line; do
  key=${line%%=*}
  case "$line" in
    *=n) if grep -q "^$key=" "$ksrc/.config"; then bad="$bad $line"; fi ;;
    *) grep -qxF "$line" "$ksrc/.config" || bad="$bad $line" ;;
  esac
done < "$work/fragment.lines"
[ -z "$bad" ] || die "guest/linux.config lines that did not survive olddefconfig (missing dependencies?):$bad"
step "compiling Linux (make -j$jobs Image; the long step)"
kmake -j"$jobs" Image >> "$log" 2>&1 || fail "kernel build failed"

# --- 4. initramfs: guest/rootfs + busybox, deterministic cpio (sorted, root-owned, fixed times) ---
step "packing initramfs.cpio.gz"
root=$work/root
mkdir -p "$root"
cp -R "$recipe/rootfs/." "$root/"
mkdir -p "$root/bin" "$root/sbin" "$root/usr/bin" "$root/usr/sbin" "$root/proc" "$root/sys" \
         "$root/dev" "$root/tmp" "$root/run" "$root/root"
find "$root" -name .keep -delete
cp "$bb" "$root/bin/busybox"
find "$root" -type d -exec chmod 0755 {} +
find "$root" -type f -perm /111 -exec chmod 0755 {} +
find "$root" -type f ! -perm /111 -exec chmod 0644 {} +
chmod 1777 "$root/tmp"
find "$root" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +
out=$work/out
mkdir -p "$out"
(cd "$root" && find . | sort | cpio --quiet -o -H newc -R 0:0 --reproducible) | gzip -9n > "$out/initramfs.cpio.gz" ||
  fail "cpio failed"

# --- 5. install into the cache; STAMP last, so an interrupted build is never taken as done ---
cp "$ksrc/arch/riscv/boot/Image" "$out/Image"
cp "$ksrc/vmlinux" "$out/vmlinux"  # the same kernel as an ELF with its symbols, for gdb
cp "$ksrc/.config" "$out/linux-riscv64.config"
cp "$bb" "$out/busybox"
{
  echo "$linux_pkg=$kver"
  echo "busybox-source=$bb_version"
  echo "gcc-riscv64-linux-gnu=$(dpkg-query -W -f='${Version}' gcc-riscv64-linux-gnu 2>/dev/null || echo unknown)"
  echo "compiler=$("${cross}gcc" --version | head -n 1)"
  echo "SOURCE_DATE_EPOCH=$SOURCE_DATE_EPOCH"
  echo "built=$(date -u +%Y-%m-%dT%H:%M:%SZ) in $(elapsed) with make -j$jobs"
} > "$out/BUILD-INFO"
(cd "$out" && sha256sum Image initramfs.cpio.gz busybox > SHA256SUMS)
for f in Image vmlinux initramfs.cpio.gz busybox linux-riscv64.config BUILD-INFO SHA256SUMS; do
  mv -f "$out/$f" "$cache/$f"
done
echo "$stamp" > "$cache/STAMP"
if [ "${VESSEL_GUEST_KEEP_WORK:-0}" = 1 ]; then
  say "kept the build trees in $work"
else
  rm -rf "$work"
fi
say "[$(elapsed)] done: $cache"
(cd "$cache" && ls -l Image initramfs.cpio.gz busybox && cat SHA256SUMS) >&2
