// The golden suite's CUDA math functions (frontend/ptx/tests/golden, generated into
// golden_math.cuh) as a test module: clang's NVVM IR and nvcc's PTX of the same kernel.
#include "golden_math.cuh"
