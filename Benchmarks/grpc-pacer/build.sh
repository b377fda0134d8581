#!/usr/bin/env bash
# Builds grpc-pacer, the paced gRPC client of scripts/bench-policy, into OUT_DIR (default
# /tmp/build-grpc-pacer): compiles pacer.c with gcc -O2 against Debian's libnghttp2
# (pkg-config libnghttp2). Prints the binary's path on its last line.
#
# Needs: gcc, pkg-config and libnghttp2-dev.
#
# Usage: Benchmarks/grpc-pacer/build.sh [OUT_DIR]
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="${1:-/tmp/build-grpc-pacer}"
binary="$out/grpc-pacer"
sources=("$here/pacer.c" "$here/build.sh")

# Nothing to do when the binary is newer than every source.
if [[ -x "$binary" ]]; then
  stale=0
  for source in "${sources[@]}"; do [[ "$source" -nt "$binary" ]] && stale=1; done
  if ((stale == 0)); then
    echo "$binary"
    exit 0
  fi
fi
pkg-config --exists libnghttp2 ||
  { echo "build.sh: libnghttp2 is missing; install libnghttp2-dev" >&2; exit 1; }
mkdir -p "$out"

# shellcheck disable=SC2046  # pkg-config prints several flags
gcc -std=c11 -O2 -Wall -Wextra -o "$binary" "$here/pacer.c" \
  $(pkg-config --cflags --libs libnghttp2)
echo "$binary"
