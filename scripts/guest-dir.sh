#!/bin/sh
# Prints the directory that holds the default guest (Image, initramfs.cpio.gz, busybox):
#   1. $VESSEL_GUEST_DIR, if set;
#   2. ../shared/guest next to the repository root, if it holds a guest (the test environment's
#      prebuilt copy);
#   3. otherwise the cache of the project's recipe, guest/build.sh, building it first if it is
#      missing or out of date (10-20 minutes once; progress on stderr).
# Only the directory goes to stdout, so callers can do: guest=$(scripts/guest-dir.sh) || exit 1
set -eu

repo=$(cd "$(dirname "$0")/.." && pwd)

if [ -n "${VESSEL_GUEST_DIR:-}" ]; then
  echo "$VESSEL_GUEST_DIR"
  exit 0
fi

shared=$repo/../shared/guest
if [ -f "$shared/Image" ] && [ -f "$shared/initramfs.cpio.gz" ]; then
  (cd "$shared" && pwd)
  exit 0
fi

build=$repo/guest/build.sh
cache=$("$build" --print-cache)
if ! "$build" --check; then
  echo "guest-dir.sh: no prebuilt guest; building it with guest/build.sh into $cache" >&2
  echo "guest-dir.sh: this takes 10-20 minutes on 2 cores, once (later calls reuse the cache)" >&2
  if ! "$build" >&2; then
    echo "guest-dir.sh: guest build failed (see above); or set VESSEL_GUEST_DIR to a directory with Image and initramfs.cpio.gz" >&2
    exit 1
  fi
fi
echo "$cache"
