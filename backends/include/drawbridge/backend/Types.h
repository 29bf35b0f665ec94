// Plain data exchanged through the backend interface: device properties, launch shapes, kernel
// and global descriptions, GEMM and BLAS vector arguments. Nothing here depends on LLVM or CUDA
// headers.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace drawbridge::backend {

struct Dim3 {
  uint32_t x = 1, y = 1, z = 1;
  uint64_t count() const { return uint64_t(x) * y * z; }
};

/// Honest figures for one device; the shim fills cudaDeviceProp from them.
struct DeviceProperties {
  std::string name;
  int multiProcessorCount = 0; // worker threads on the CPU backend
  size_t totalMemory = 0;
  int warpSize = 32;
  int maxThreadsPerBlock = 1024;
  Dim3 maxBlockDim{1024, 1024, 64};
  Dim3 maxGridDim{0x7fffffff, 65535, 65535};
  size_t sharedMemoryPerBlock = 48 * 1024;    // without opting in
  size_t sharedMemoryPerBlockMax = 48 * 1024; // with cudaFuncAttributeMaxDynamicSharedMemorySize
  size_t totalConstantMemory = 64 * 1024;
  int clockRateKHz = 0;
  bool unifiedAddressing = true;
  bool managedMemory = true;
  bool concurrentKernels = true;
};

/// What another process needs to open device memory or an event: as CUDA's IPC handles, 64
/// opaque bytes that may travel by any channel (a pipe, a file, a socket).
struct ShareableHandle {
  std::array<std::byte, 64> bytes{};
};

enum class MemoryKind {
  Device,     // cudaMalloc
  HostPinned, // cudaMallocHost / cudaHostAlloc
  Managed,    // cudaMallocManaged
};

/// What the shim needs to know about a kernel (cudaFuncGetAttributes, graph parameter copies).
struct KernelInfo {
  std::string name;
  size_t staticSharedBytes = 0;
  size_t localBytesPerThread = 0;
  int maxThreadsPerBlock = 1024;
  std::vector<size_t> paramSizes;   // bytes of each parameter, in order
  std::vector<size_t> paramOffsets; // where each starts in CUDA's parameter buffer
};

/// A __device__ or __constant__ variable of a loaded module.
struct GlobalInfo {
  void* address = nullptr; // same address on host and device (unified addressing)
  size_t size = 0;
};

struct LaunchConfig {
  Dim3 grid;
  Dim3 block;
  size_t dynamicSharedBytes = 0;
  /// cudaLaunchCooperativeKernel: every block runs at once (the grid may be no larger than the
  /// device's multiprocessors), and kernels find the grid-sync workspace of cooperative groups.
  bool cooperative = false;
};

/// D = epilogue(alpha * A x B + beta * C + bias), in each of `batch` matrices. Every operand is
/// the logical matrix (after any transpose), located by element strides, so cuBLAS's column-major
/// operands, transposes, leading dimensions, cuBLASLt's row order and strided batches all fit.
enum class GemmType { F32, F64, F16, BF16 };
enum class GemmEpilogue { None, Relu, Gelu }; // GELU in the tanh form cuBLASLt uses

struct GemmMatrix {
  GemmType type = GemmType::F32;
  const void* data = nullptr;
  int64_t rowStride = 1;
  int64_t colStride = 1;
  int64_t batchStride = 0; // 0 uses one matrix for every batch (A and B only)
  /// cublas<t>gemmBatched: `batch` matrix addresses in device memory, read when the GEMM runs
  /// (`data` and `batchStride` are then unused).
  const void* const* batchPointers = nullptr;
};

struct GemmArgs {
  int64_t m = 0, n = 0, k = 0, batch = 1;
  GemmMatrix a; // m x k
  GemmMatrix b; // k x n
  GemmMatrix c; // m x n, read only when beta != 0
  GemmMatrix d; // m x n, written
  double alpha = 1.0;
  double beta = 0.0;
  const void* bias = nullptr; // m values, added to every column
  GemmType biasType = GemmType::F32;
  GemmEpilogue epilogue = GemmEpilogue::None;
  bool allowTf32 = false; // the caller permits tf32 rounding of f32 inputs
  /// cuBLAS's device pointer mode: when set, alpha or beta is read from here (as `scalarType`)
  /// when the GEMM runs in stream order, so work queued before it may write the value.
  const void* alphaPointer = nullptr;
  const void* betaPointer = nullptr;
  GemmType scalarType = GemmType::F32;
};

/// The BLAS level-1 operations cuBLAS programs call, on strided vectors of n elements. A negative
/// increment walks the vector backwards from its last element, as BLAS defines it; Scal, Nrm2,
/// Asum and Amax do nothing (results 0) for an increment <= 0, as cuBLAS documents.
enum class VectorOp {
  Axpy, // y = alpha * x + y
  Scal, // y = alpha * y
  Copy, // y = x
  Dot,  // result = x . y
  Nrm2, // result = |x|_2
  Asum, // result = sum of |x_i|
  Amax, // result = the 1-based index of the first largest |x_i| (int32)
};

struct VectorArgs {
  VectorOp op = VectorOp::Axpy;
  GemmType type = GemmType::F32; // of x, y, alpha and the result (F32 or F64)
  int64_t n = 0;
  const void* x = nullptr;
  int64_t incx = 1;
  void* y = nullptr; // written by Axpy, Scal and Copy, read by Dot
  int64_t incy = 1;
  double alpha = 1;
  const void* alphaPointer = nullptr; // read when the operation runs, like GemmArgs'
  void* result = nullptr;             // Dot, Nrm2, Asum, Amax: written when the operation runs
};

/// Triangular solves, column-major: op(A) X = alpha B (left) or X op(A) = alpha B (right), X
/// written over B; A is m x m (left) or n x n (right) and only its named triangle is read.
struct TrsmArgs {
  GemmType type = GemmType::F32; // of A, B and alpha (F32 or F64)
  bool left = true;
  bool lower = true;
  bool transpose = false;
  bool unitDiagonal = false; // the diagonal is taken as 1 and not read
  int64_t m = 0, n = 0;
  const void* a = nullptr;
  int64_t lda = 0;
  void* b = nullptr;
  int64_t ldb = 0;
  int64_t batch = 1;
  const void* const* aPointers = nullptr; // batched: device arrays of per-batch addresses
  void* const* bPointers = nullptr;
  double alpha = 1;
  const void* alphaPointer = nullptr; // read when the operation runs, like GemmArgs'
};

} // namespace drawbridge::backend
