#!/usr/bin/env bash
# Live migration of a 1 GiB guest at idle and under 32 and 128 MiB/s of memory dirtying:
# total time and downtime, Vessel (vessel run --incoming, the "migrate" control op) against
# QEMU 7.2 migrating between two qemu-system-riscv64 processes (-incoming, QMP migrate).
set -euo pipefail
vessel=${1:?usage: run.sh VESSEL_BIN [GUEST_DIR]}
guest=${2:-$("$(dirname "$0")/../../scripts/guest-dir.sh")}
exec python3 "$(dirname "$0")/migration_bench.py" "$vessel" "$guest" "${RUNS:-3}" "${MEM:-1G}" "${DOWNTIME_MS:-50}"
