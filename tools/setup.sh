#!/usr/bin/env bash
# Installs every Debian 12 package Drawbridge needs. Idempotent: when everything is already
# present it only checks and exits quietly, so it is safe to run before every build.
set -euo pipefail

packages=(
  # build
  cmake ninja-build ccache pkg-config python3 g++ clang-format
  # LLVM 19 and Clang 19: the PTX frontend, the JIT, the translator, lit and FileCheck
  clang-19 lld-19 llvm-19-dev llvm-19-tools libclang-19-dev libclang-rt-19-dev
  # CPU backend BLAS, fatbin decompression
  libdnnl-dev libzstd-dev liblz4-dev
  # libnccl.so.2's transport between ranks, and mpirun for its tests; ip for its multi-machine
  # test (ranks in network namespaces)
  libopenmpi-dev openmpi-bin iproute2
  # ROCm HIP 5.2 for compile checks of translated code
  hipcc libamdhip64-dev rocm-device-libs librocprim-dev
  # tests and benchmarks (OpenMP: the benchmarks' C++ comparisons; valgrind: the shim's memcheck runs)
  googletest libgtest-dev libgmock-dev libbenchmark-dev libomp-19-dev valgrind
  # PoCL: the CPU backend benchmarks run the same kernels in OpenCL C on it
  pocl-opencl-icd ocl-icd-opencl-dev
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done

if ((${#missing[@]})); then
  echo "setup: installing ${#missing[@]} package(s): ${missing[*]}"
  sudo_cmd=()
  [[ $(id -u) -eq 0 ]] || sudo_cmd=(sudo)
  export DEBIAN_FRONTEND=noninteractive
  "${sudo_cmd[@]}" apt-get update -qq
  "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

cuda=${DRAWBRIDGE_CUDA_PATH:-/usr/local/cuda}
if [[ ! -x $cuda/bin/nvcc ]]; then
  echo "setup: no CUDA 13 toolkit at $cuda (nvcc missing)." >&2
  echo "       Install it there, or point DRAWBRIDGE_CUDA_PATH at its root." >&2
  exit 1
fi
