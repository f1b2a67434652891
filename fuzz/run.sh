#!/usr/bin/env bash
# Runs the fuzz targets one after another (`make fuzz`), each for FUZZ_SECONDS (default 60) or,
# with FUZZ_RUNS set, until that many executions if that comes first, on its corpus: the committed seeds and crash
# reproducers of fuzz/corpus/<target> plus the inputs found so far in BUILD/corpus/<target>.
# A crash or sanitizer report stops that target with its input in BUILD/artifacts/ and makes
# the script fail after the remaining targets ran. FUZZ_TARGETS="a b" runs only those.
# One line per target ends in the summary: executions, exec/s, coverage (cov, ft), result.
set -uo pipefail
cd "$(dirname "$0")/.."
build=${1:-build-fuzz}
seconds=${FUZZ_SECONDS:-60}
targets=${FUZZ_TARGETS:-$(cd fuzz/corpus && ls)}
mkdir -p "$build/artifacts" "$build/logs"
failed=0
summary=()
for t in $targets; do
  bin="$build/fuzz_$t"
  [ -x "$bin" ] || { echo "fuzz: $bin is not built" >&2; failed=1; continue; }
  mkdir -p "$build/corpus/$t"
  limit=(-max_total_time="$seconds")
  [ -n "${FUZZ_RUNS:-}" ] && limit+=(-runs="$FUZZ_RUNS")
  log="$build/logs/$t.log"
  # -timeout: one input running this long is a hang; -rss_limit_mb: a leak or an unbounded
  # allocation is a finding too.
  nice -n 19 "$bin" "${limit[@]}" -timeout=25 -rss_limit_mb=2560 -print_final_stats=1 \
    -artifact_prefix="$build/artifacts/$t-" "$build/corpus/$t" "fuzz/corpus/$t" >"$log" 2>&1
  rc=$?
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
  rate=$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
  cov=$(grep -o 'cov: [0-9]* ft: [0-9]*' "$log" | tail -1)
  result=clean
  if [ $rc -ne 0 ]; then
    result="FAILED (exit $rc, see $log)"
    failed=1
  fi
  summary+=("$(printf '%-18s %10s runs %7s exec/s  %-20s %s' "$t" "${runs:-?}" "${rate:-?}" "${cov:-?}" "$result")")
  echo "${summary[-1]}"
done
echo "--- fuzz summary ($seconds s${FUZZ_RUNS:+ or $FUZZ_RUNS runs} per target)"
printf '%s\n' "${summary[@]}"
exit $failed
