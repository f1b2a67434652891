#!/usr/bin/env bash
# Live migration under vesseld: to a second vesseld over mutual TLS (as between two hosts)
# against a move within one vesseld, for a 1 GiB guest at idle and under 32 and 128 MiB/s of
# memory dirtying (the workload of run.sh). BUILD_DIR holds vessel, vesseld and vessel-vmm.
set -euo pipefail
build=${1:?usage: daemons.sh BUILD_DIR [GUEST_DIR]}
guest=${2:-$("$(dirname "$0")/../../scripts/guest-dir.sh")}
exec python3 "$(dirname "$0")/daemons_bench.py" "$(cd "$build" && pwd)" "$guest" "${RUNS:-3}" "${MEM:-1G}" "${DOWNTIME_MS:-50}"
