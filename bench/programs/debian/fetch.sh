#!/usr/bin/env bash
# Downloads Debian 13 (trixie) riscv64 builds of gzip, bzip2, xz-utils and sqlite3 with the
# shared libraries they need (apt-get download with its own configuration: this machine's apt
# setup is not touched) and unpacks the programs and libraries into DEST/root, for
# bench/programs/run.sh (DEBIAN_DIR=DEST). Nothing of it goes into the repository.
# Usage: bench/programs/debian/fetch.sh [DEST]
#   DEST defaults to ${XDG_CACHE_HOME:-$HOME/.cache}/vessel/bench-programs-debian.
# VESSEL_DEBIAN_MIRROR overrides http://deb.debian.org/debian. Needs apt-get, dpkg-deb and
# Debian's archive keyring (/usr/share/keyrings/debian-archive-keyring.gpg).
set -euo pipefail
dest=${1:-${XDG_CACHE_HOME:-${HOME:?}/.cache}/vessel/bench-programs-debian}
mirror=${VESSEL_DEBIAN_MIRROR:-http://deb.debian.org/debian}
keyring=/usr/share/keyrings/debian-archive-keyring.gpg
packages="gzip bzip2 libbz2-1.0 xz-utils liblzma5 sqlite3 libsqlite3-0 libreadline8t64 libtinfo6 zlib1g libc6 libgcc-s1"
programs="gzip bzip2 xz sqlite3"
die() { echo "bench/programs/debian/fetch.sh: $*" >&2; exit 1; }
for tool in apt-get dpkg-deb; do command -v "$tool" >/dev/null || die "$tool is missing"; done
[ -f "$keyring" ] || die "no $keyring (apt-get install debian-archive-keyring)"

mkdir -p "$dest"
dest=$(cd "$dest" && pwd)
apt=$dest/apt
rm -rf "$apt" "$dest/debs" "$dest/root.tmp"
mkdir -p "$apt/etc/sources.list.d" "$apt/etc/preferences.d" "$apt/state/lists/partial" "$apt/cache/archives/partial" \
  "$dest/debs" "$dest/root.tmp"
echo "deb [arch=riscv64 signed-by=$keyring] $mirror trixie main" >"$apt/etc/sources.list"
opts=(-o APT::Architecture=riscv64 -o APT::Architectures=riscv64 -o "Dir::Etc=$apt/etc"
      -o "Dir::Etc::SourceList=$apt/etc/sources.list" -o "Dir::Etc::SourceParts=$apt/etc/sources.list.d"
      -o "Dir::Etc::Preferences=$apt/etc/preferences" -o "Dir::Etc::PreferencesParts=$apt/etc/preferences.d"
      -o "Dir::State=$apt/state" -o Dir::State::Status=/dev/null -o "Dir::Cache=$apt/cache"
      -o Debug::NoLocking=1 -o APT::Sandbox::User=root)
apt-get "${opts[@]}" -q update >&2 || die "apt-get update of $mirror trixie (riscv64) failed"
# shellcheck disable=SC2086  # the package list is split on purpose
(cd "$dest/debs" && apt-get "${opts[@]}" -q download $packages) >&2 || die "apt-get download failed"
for deb in "$dest"/debs/*.deb; do dpkg-deb -x "$deb" "$dest/root.tmp"; done

# Keep the programs (in /opt/debian/bin, apart from busybox's applets of the same names), the
# dynamic loader and the libraries (no gconv modules, docs or locales); the guest's busybox
# initramfs has no /lib, so the loader's path /lib/ld-linux-riscv64-lp64d.so.1 is made here.
root=$dest/root.new
rm -rf "$root"
mkdir -p "$root/opt/debian/bin" "$root/usr/lib"
cp -a "$dest/root.tmp/usr/lib/riscv64-linux-gnu" "$root/usr/lib/"
rm -rf "$root/usr/lib/riscv64-linux-gnu/gconv" "$root/usr/lib/riscv64-linux-gnu/audit"
cp -a "$dest/root.tmp/usr/lib/ld-linux-riscv64-lp64d.so.1" "$root/usr/lib/"
ln -s usr/lib "$root/lib"
for p in $programs; do cp -a "$dest/root.tmp/usr/bin/$p" "$root/opt/debian/bin/$p"; done
(cd "$dest/debs" && ls) >"$dest/PACKAGES"
rm -rf "$dest/root" "$dest/root.tmp"
mv "$root" "$dest/root"
echo "bench/programs/debian/fetch.sh: $(wc -l <"$dest/PACKAGES") packages unpacked into $dest/root" >&2
echo "$dest"
