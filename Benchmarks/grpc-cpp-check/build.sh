#!/usr/bin/env bash
# Builds grpc-cpp-check, the gRPC C++ comparison server of scripts/bench-policy, into OUT_DIR
# (default /tmp/build-grpc-cpp-check): generates the C++ messages and service from
# proto/edgecat/policy/v1/policy.proto with Debian's protoc and grpc_cpp_plugin, then compiles
# with -O2 against Debian's libgrpc++ (pkg-config grpc++ and protobuf).
#
# Needs: libgrpc++-dev, protobuf-compiler-grpc, libprotobuf-dev (scripts/bench-policy installs
# them with apt-get when they are missing).
#
# Usage: Benchmarks/grpc-cpp-check/build.sh [OUT_DIR]
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
out="${1:-/tmp/build-grpc-cpp-check}"
binary="$out/grpc-cpp-check"
sources=("$here/check_server.cc" "$here/build.sh" "$root/proto/edgecat/policy/v1/policy.proto"
  "$root/proto/edgecat/audit/v1/audit.proto")

# Nothing to do when the binary is newer than every source.
if [[ -x "$binary" ]]; then
  stale=0
  for source in "${sources[@]}"; do [[ "$source" -nt "$binary" ]] && stale=1; done
  if ((stale == 0)); then
    echo "$binary"
    exit 0
  fi
fi
mkdir -p "$out/gen"

protos=(edgecat/audit/v1/audit.proto edgecat/policy/v1/policy.proto)
protoc -I"$root/proto" --cpp_out="$out/gen" "${protos[@]}"
protoc -I"$root/proto" --grpc_out="$out/gen" \
  --plugin=protoc-gen-grpc="$(command -v grpc_cpp_plugin)" edgecat/policy/v1/policy.proto

# shellcheck disable=SC2046  # pkg-config prints several flags
g++ -std=c++17 -O2 -DNDEBUG -I"$out/gen" \
  "$here/check_server.cc" \
  "$out/gen/edgecat/policy/v1/policy.pb.cc" \
  "$out/gen/edgecat/policy/v1/policy.grpc.pb.cc" \
  "$out/gen/edgecat/audit/v1/audit.pb.cc" \
  $(pkg-config --cflags --libs grpc++ protobuf) -lpthread \
  -o "$binary"
echo "$binary"
