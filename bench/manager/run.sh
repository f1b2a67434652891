#!/usr/bin/env bash
# Manager benchmarks (issue 6): create-to-running time (against a plain `vessel run` boot of the
# same guest in the same run), host memory overhead of an idle VM beyond the guest memory it
# touched, and density: how many idle 128 MiB VMs keep running and answering, with the host CPU
# the idle fleet uses. Every VMM started is killed by PID at the end.
#   run.sh BUILD_DIR [GUEST_DIR]     env: VMS (density target, default 100), WAVE (default 10), RUNS (default 5),
#                                    ENGINE (jit or interp; default: the VMM's)
set -euo pipefail
build=${1:?usage: run.sh BUILD_DIR [GUEST_DIR]}
guest=${2:-$("$(dirname "$0")/../../scripts/guest-dir.sh")}
exec python3 "$(dirname "$0")/manager_bench.py" "$build" "$guest" "${VMS:-100}" "${WAVE:-10}" "${RUNS:-5}"
