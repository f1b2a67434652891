#!/usr/bin/env bash
# Snapshot and restore of a 256 MiB guest: snapshot time, snapshot size, and
# snapshot-restore-to-running time, against a cold boot of the same guest in the same run.
set -euo pipefail
vessel=${1:?usage: run.sh VESSEL_BIN [GUEST_DIR]}
guest=${2:-$("$(dirname "$0")/../../scripts/guest-dir.sh")}
exec python3 "$(dirname "$0")/snapshot_bench.py" "$vessel" "$guest" "${RUNS:-5}" "${MEM:-256M}"
