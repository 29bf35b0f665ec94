#!/usr/bin/env bash
# Builds a user's ggml checkout's CUDA backend with nvcc, runs its test-backend-ops through
# `drawbridge run`, and writes a per-op report. ggml is never vendored: pass its checkout.
#
#   conformance/ggml/run.sh GGML_DIR WORK_DIR [build|ptx|test|ops|report|all] [test-backend-ops args]
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
# ops:    test, one op per process (the ops named after the step, or every op --list-ops names),
#         each under `timeout` (DRAWBRIDGE_GGML_TIMEOUT seconds, default 900) and a virtual memory
#         limit (DRAWBRIDGE_GGML_MEMORY_KB, default 12000000), so a crash, hang or runaway
#         lowering costs only its own op. Logs go to WORK_DIR/ops/OP.log, each op's exit status
#         and seconds to WORK_DIR/ops/times.txt.
# report: WORK_DIR/report.txt, per op: cases passed, failed, not supported (with the reasons the
#         log gives), from the ops logs when there are any, else from the test log; the same
#         cases as JUnit XML in WORK_DIR/report.xml, one test suite per op.
set -euo pipefail

ggml=$(realpath "${1:?usage: $0 GGML_DIR WORK_DIR [build|ptx|test|ops|report|all]}")
work=$(realpath -m "${2:?usage: $0 GGML_DIR WORK_DIR [build|ptx|test|ops|report|all]}")
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

ops() {
  local exe="$work/build/bin/test-backend-ops"
  [[ -x $exe ]] || { echo "no $exe: run the build step" >&2; exit 1; }
  local list=("$@")
  if ((${#list[@]} == 0)); then
    # --list-ops prints a header, then one op per line, then a total.
    mapfile -t list < <("$drawbridge" run "$exe" --list-ops 2>/dev/null | awk '/^  [A-Z]/ {print $1}')
  fi
  mkdir -p "$work/ops"
  local op start status tenths
  for op in "${list[@]}"; do
    start=$(date +%s%N)
    status=0
    (ulimit -v "${DRAWBRIDGE_GGML_MEMORY_KB:-12000000}" &&
      exec timeout "${DRAWBRIDGE_GGML_TIMEOUT:-900}" "$drawbridge" run "$exe" test -b CUDA0 -o "$op") \
      >"$work/ops/$op.log" 2>&1 || status=$?
    # Replace this op's line: a rerun of one op keeps the others' figures.
    touch "$work/ops/times.txt"
    sed -i "/^$op /d" "$work/ops/times.txt"
    tenths=$((($(date +%s%N) - start) / 100000000))
    echo "$op $status $((tenths / 10)).$((tenths % 10))" >>"$work/ops/times.txt"
    echo "$op: exit $status"
  done
}

report() {
  if [[ -s $work/ops/times.txt ]]; then
    python3 "$here/report.py" --junit "$work/report.xml" --times "$work/ops/times.txt" "$work"/ops/*.log >"$work/report.txt"
  else
    python3 "$here/report.py" --junit "$work/report.xml" "$work/test-backend-ops.log" >"$work/report.txt"
  fi
  cat "$work/report.txt"
}

case $step in
build) build ;;
ptx) ptx ;;
test) test_ops "$@" ;;
ops) ops "$@" ;;
report) report ;;
all) build && ptx && test_ops && report ;;
*) echo "unknown step '$step': build, ptx, test, ops, report or all" >&2; exit 2 ;;
esac
