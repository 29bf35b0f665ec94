#!/usr/bin/env bash
# Builds a user's ggml checkout's CUDA backend with nvcc, runs its test-backend-ops through
# `drawbridge run`, and writes a per-op report. ggml is never vendored: pass its checkout.
#
#   conformance/ggml/run.sh GGML_DIR WORK_DIR [build|ptx|test|report|all] [test-backend-ops args]
#
# build:  nvcc builds ggml's CUDA backend as PTX for compute_80 only (the shim JITs PTX, and one
#         architecture keeps the build short), with the shared CUDA runtime (so the shim can stand
#         in for it), without VMM (the shim has no virtual memory management), without NCCL and
#         without the FlashAttention quant combinations (DRAWBRIDGE_GGML_FA=ON turns on the default
#         FlashAttention kernels), and without ccache, whose hits would keep no PTX.
# ptx:    takes every PTX module nvcc kept while building (WORK_DIR/keep), lowers each with
#         `drawbridge ptx --verify` and round-trips it through llc and ptxas, writing
#         WORK_DIR/ptx-report.txt (module: ok / the first error).
# test:   runs test-backend-ops (mode test, CUDA backend against CPU) through `drawbridge run`,
#         logging to WORK_DIR/test-backend-ops.log; arguments after the step go to it (`-o ADD`
#         tests one op).
# report: WORK_DIR/report.txt, per op: cases passed, failed, not supported (with the reasons the
#         log gives).
set -euo pipefail

ggml=$(realpath "${1:?usage: $0 GGML_DIR WORK_DIR [build|ptx|test|report|all]}")
work=$(realpath -m "${2:?usage: $0 GGML_DIR WORK_DIR [build|ptx|test|report|all]}")
step=${3:-all}
shift $(($# < 3 ? $# : 3))
here=$(dirname "$(realpath "$0")")
drawbridge=${DRAWBRIDGE:-$here/../../build/bin/drawbridge}
nvcc=${NVCC:-/usr/local/cuda/bin/nvcc}
llc=${LLC:-/usr/lib/llvm-19/bin/llc}
ptxas=${PTXAS:-$(dirname "$nvcc")/ptxas}
jobs=${DRAWBRIDGE_GGML_JOBS:-1}
mkdir -p "$work"

build() {
  mkdir -p "$work/keep"
  cmake -S "$ggml" -B "$work/build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DGGML_CUDA=ON -DCMAKE_CUDA_COMPILER="$nvcc" -DCMAKE_CUDA_ARCHITECTURES=80-virtual \
    -DCMAKE_CUDA_RUNTIME_LIBRARY=Shared -DGGML_CUDA_NO_VMM=ON -DGGML_CUDA_NCCL=OFF \
    -DGGML_CUDA_FA="${DRAWBRIDGE_GGML_FA:-OFF}" -DGGML_CUDA_FA_ALL_QUANTS=OFF \
    -DGGML_CUDA_GRAPHS=OFF -DGGML_NATIVE=OFF -DGGML_CCACHE=OFF "-DCMAKE_CUDA_FLAGS=--keep --keep-dir=$work/keep" -DGGML_BUILD_EXAMPLES=OFF -DGGML_BUILD_TESTS=ON
  nice -n 19 cmake --build "$work/build" -j "$jobs" --target test-backend-ops
}

ptx() {
  : >"$work/ptx-report.txt"
  local failed=0 total=0
  for module in "$work"/keep/*.ptx; do
    [[ $(basename "$module") == CMake* ]] && continue # CMake's compiler probe, not ggml
    total=$((total + 1))
    # Lowered, then back to PTX with llc and assembled by ptxas: the frontend's round trip.
    if err=$("$drawbridge" ptx --verify "$module" -o "$work/module.ll" 2>&1 &&
      "$llc" -march=nvptx64 -mcpu=sm_80 "$work/module.ll" -o "$work/module.s" 2>&1 &&
      "$ptxas" -c -arch=sm_80 "$work/module.s" -o /dev/null 2>&1); then
      echo "$(basename "$module"): ok" >>"$work/ptx-report.txt"
    else
      failed=$((failed + 1))
      echo "$(basename "$module"): $(head -1 <<<"$err")" >>"$work/ptx-report.txt"
    fi
  done
  echo "PTX modules lowered and round-tripped: $((total - failed)) of $total (details: $work/ptx-report.txt)"
}

test_ops() {
  local exe="$work/build/bin/test-backend-ops"
  [[ -x $exe ]] || { echo "no $exe: run the build step" >&2; exit 1; }
  "$drawbridge" run "$exe" test -b CUDA0 "$@" >"$work/test-backend-ops.log" 2>&1 || true
}

report() {
  python3 "$here/report.py" "$work/test-backend-ops.log" >"$work/report.txt"
  cat "$work/report.txt"
}

case $step in
build) build ;;
ptx) ptx ;;
test) test_ops "$@" ;;
report) report ;;
all) build && ptx && test_ops && report ;;
*) echo "unknown step '$step': build, ptx, test, report or all" >&2; exit 2 ;;
esac
