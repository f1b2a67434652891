#!/usr/bin/env bash
# Boot of a stock Debian trixie riscv64 system under vessel and QEMU: see boot_bench.py.
set -euo pipefail
exec python3 "$(dirname "$0")/boot_bench.py" "$@"
