#!/usr/bin/env bash
# The cost of the VMM jail and its syscall filters (issue 16): boot time, create-to-running,
# restore-to-running and guest disk I/O, jailed against unjailed VMMs under one vesseld in the
# same run (alternating, so both see the same host load). Needs root. Prints medians and ratios.
#   run.sh BUILD_DIR [GUEST_DIR]      env: RUNS (default 5)
set -euo pipefail
build=${1:?usage: run.sh BUILD_DIR [GUEST_DIR]}
guest=${2:-$("$(dirname "$0")/../../scripts/guest-dir.sh")}
exec python3 "$(dirname "$0")/sandbox_bench.py" "$build" "$guest" "${RUNS:-5}"
