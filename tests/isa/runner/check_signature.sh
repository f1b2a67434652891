#!/bin/sh
# check_signature.sh VESSEL ELF EXPECTED OUT: run ELF with --signature OUT, compare with EXPECTED.
vessel=$1
elf=$2
expected=$3
out=$4
rm -f "$out"
"$vessel" run --elf "$elf" --signature "$out" || { echo "vessel exited with $?"; exit 1; }
if ! diff -u "$expected" "$out"; then
  echo "signature mismatch"
  exit 1
fi
echo "signature matches"
