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
  libfdt-dev libxbyak-dev libslirp-dev libglib2.0-dev zlib1g-dev libzstd-dev liburing-dev
  libseccomp-dev libcap-dev
  # tools used by tests and benchmarks
  device-tree-compiler qemu-system-misc opensbi qemu-utils e2fsprogs cpio
  # container runtime tests and benchmarks (issue 7): podman drives vessel-runc, runc/crun are the references
  podman runc crun busybox-static
)

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
