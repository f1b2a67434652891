#!/bin/sh
# check.sh EXPECTED_STATUS COMMAND... : run COMMAND, echo its output and status,
# succeed only if it exits with EXPECTED_STATUS (ctest may also match the output).
expected=$1
shift
"$@" 2>&1
status=$?
echo "exit status: $status (expected $expected)"
[ "$status" -eq "$expected" ]
