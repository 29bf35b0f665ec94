#!/usr/bin/env bash
# Configures and builds Drawbridge (Release, Ninja, clang 19) into ${DRAWBRIDGE_BUILD_DIR:-build}.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${DRAWBRIDGE_BUILD_DIR:-$root/build}
if [[ ! -f $build/build.ninja ]]; then
  cmake -S "$root" -B "$build" -G Ninja \
    -DCMAKE_BUILD_TYPE="${DRAWBRIDGE_BUILD_TYPE:-Release}" \
    -DCMAKE_C_COMPILER=clang-19 -DCMAKE_CXX_COMPILER=clang++-19 \
    -DDRAWBRIDGE_CUDA_PATH="${DRAWBRIDGE_CUDA_PATH:-/usr/local/cuda}" "$@"
fi
cmake --build "$build"
