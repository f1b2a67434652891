#!/usr/bin/env bash
# Installs every Debian package Vessel's build, tests and benchmarks need.
# Idempotent: when everything is present it only runs dpkg queries (well under a second).
set -euo pipefail

packages=(
  # build
  build-essential cmake ninja-build pkg-config
  # RISC-V cross toolchain for test programs and the guest recipe
  gcc-riscv64-linux-gnu binutils-riscv64-linux-gnu
  # libraries
  libgtest-dev libgmock-dev libbenchmark-dev libcli11-dev nlohmann-json3-dev
  libfdt-dev libxbyak-dev libslirp-dev libglib2.0-dev zlib1g-dev libzstd-dev libxxhash-dev liburing-dev
  libseccomp-dev libcap-dev
  # container images under vesseld: layers unpacked with libarchive (tar, gzip, zstd, xz)
  libarchive-dev
  # the dashboard (vesseld --http): WebSocket handshake (OpenSSL), its browser tests (Chromium, Node.js)
  libssl-dev chromium
  # the GDB stub's tests
  gdb-multiarch
  # fuzzing (make fuzz): clang with libFuzzer and the ASan/UBSan runtimes
  clang-14 libclang-rt-14-dev
  # packaging (make deb): man pages from --help; its test builds a fresh bookworm root
  help2man mmdebstrap
  # manager tests: the OpenAPI document is read with yaml-cpp to validate responses
  libyaml-cpp-dev
  # tools used by tests and benchmarks
  device-tree-compiler qemu-system-misc opensbi qemu-utils e2fsprogs cpio
  # container runtime tests and benchmarks (issue 7): podman drives vessel-runc, runc/crun are the references
  podman runc crun busybox-static
  # Docker as a client of vessel-runc (tests/container/docker_test.sh), and podman's default seccomp profile
  docker.io containerd golang-github-containers-common
  # network tests and benchmark (issue 4): namespaces and taps; the benchmark's host-side sink
  iproute2 python3
  # VDE switches between VMs (issue 18): libvdeplug for the VMM's port, vde_switch and slirpvde
  # for vesseld's named networks and the tests (QEMU joins the same switches)
  libvdeplug-dev vde2
  # guest recipe (guest/build.sh): kernel source and its build tools; busybox comes via `apt-get source`
  linux-source-6.1 bc flex bison dpkg-dev bzip2 xz-utils libc6-dev-riscv64-cross
  # stock Debian guest (guest/debian/build.sh): a riscv64 trixie system built under qemu-user;
  # firmware boot through Debian's OpenSBI and U-Boot; NoCloud seeds for cloud-init (ISO9660)
  qemu-user-static binfmt-support arch-test fdisk openssh-client u-boot-qemu genisoimage
)

# guest/build.sh fetches Debian's busybox source package with `apt-get source`, which needs a
# deb-src entry for Debian's main archive: add one (a file of our own) only if none exists.
have_deb_src() {
  grep -qsE '^[[:space:]]*deb-src[[:space:]].*[[:space:]]main([[:space:]]|$)' \
    /etc/apt/sources.list /etc/apt/sources.list.d/*.list && return 0
  local f
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] || continue
    # deb822: a stanza (paragraph) with deb-src in Types: and main in Components:
    awk 'BEGIN { RS = "" }
         /(^|\n)Types:[^\n]*deb-src/ && /(^|\n)Components:[^\n]*main/ && !/(^|\n)Enabled:[ \t]*no/ { found = 1 }
         END { exit !found }' "$f" && return 0
  done
  return 1
}
as_root=""
[ "$(id -u)" -eq 0 ] || as_root=sudo
if ! have_deb_src; then
  codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-bookworm}")
  echo "install-deps: adding a deb-src entry for Debian main ($codename)"
  printf '%s\n' \
    '# Added by Vessel scripts/install-deps.sh: source packages for guest/build.sh (apt-get source busybox).' \
    'Types: deb-src' \
    'URIs: http://deb.debian.org/debian' \
    "Suites: $codename $codename-updates" \
    'Components: main' \
    'Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg' \
    | $as_root tee /etc/apt/sources.list.d/vessel-deb-src.sources >/dev/null
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if ((${#missing[@]})); then
  echo "install-deps: installing ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# The source index is fetched by the apt-get update above, or here if nothing needed installing.
if ! compgen -G '/var/lib/apt/lists/*_main_source_Sources*' >/dev/null; then
  echo "install-deps: downloading the package index (with sources)"
  $as_root apt-get update -qq
fi

# The dashboard's front end (web/): Node.js from Debian where the machine has none, then the npm
# packages pinned by web/package-lock.json, installed only when the lock file changed.
if ! command -v npm >/dev/null; then
  echo "install-deps: installing nodejs and npm"
  DEBIAN_FRONTEND=noninteractive $as_root apt-get install -y -qq --no-install-recommends nodejs npm
fi
web=$(cd "$(dirname "$0")/.." && pwd)/web
if [ ! -f "$web/node_modules/.package-lock.json" ] || ! cmp -s "$web/package-lock.json" "$web/node_modules/.vessel-lock"; then
  echo "install-deps: npm ci (web/)"
  (cd "$web" && npm ci --no-audit --no-fund --loglevel=error) && cp "$web/package-lock.json" "$web/node_modules/.vessel-lock"
fi
