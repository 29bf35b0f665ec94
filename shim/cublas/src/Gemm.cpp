#include "Gemm.h"

#include "drawbridge/backend/Backend.h"
#include "drawbridge/support/ReportOnce.h"

#include <cstdio>
#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <cuda_runtime_api.h>
#include <string>

extern "C" int __drawbridge_cudart_resolve_stream(cudaStream_t stream, void** device,
                                                  void** backendStream);

namespace drawbridge::cublas {
namespace {

std::optional<double> readScalar(const void* pointer, cudaDataType type) {
  if (!pointer)
    return std::nullopt;
  switch (type) {
  case CUDA_R_32F:
    return *static_cast<const float*>(pointer);
  case CUDA_R_64F:
    return *static_cast<const double*>(pointer);
  case CUDA_R_16F:
    return static_cast<double>(__half2float(*static_cast<const __half*>(pointer)));
  default:
    return std::nullopt;
  }
}

cublasStatus_t toCublas(const backend::Status& status) {
  switch (status.code) {
  case backend::StatusCode::Success:
    return CUBLAS_STATUS_SUCCESS;
  case backend::StatusCode::InvalidValue:
    return CUBLAS_STATUS_INVALID_VALUE;
  case backend::StatusCode::NotSupported:
    return CUBLAS_STATUS_NOT_SUPPORTED;
  case backend::StatusCode::OutOfMemory:
    return CUBLAS_STATUS_ALLOC_FAILED;
  default:
    return CUBLAS_STATUS_EXECUTION_FAILED;
  }
}

} // namespace

std::optional<backend::GemmType> gemmType(cudaDataType type) {
  switch (type) {
  case CUDA_R_32F:
    return backend::GemmType::F32;
  case CUDA_R_64F:
    return backend::GemmType::F64;
  case CUDA_R_16F:
    return backend::GemmType::F16;
  case CUDA_R_16BF:
    return backend::GemmType::BF16;
  default:
    return std::nullopt;
  }
}

std::optional<cudaDataType> scalarTypeOf(cublasComputeType_t compute) {
  switch (compute) {
  case CUBLAS_COMPUTE_32F:
  case CUBLAS_COMPUTE_32F_PEDANTIC:
  case CUBLAS_COMPUTE_32F_FAST_16F:
  case CUBLAS_COMPUTE_32F_FAST_16BF:
  case CUBLAS_COMPUTE_32F_FAST_TF32:
    return CUDA_R_32F;
  case CUBLAS_COMPUTE_64F:
  case CUBLAS_COMPUTE_64F_PEDANTIC:
    return CUDA_R_64F;
  case CUBLAS_COMPUTE_16F:
  case CUBLAS_COMPUTE_16F_PEDANTIC:
    return CUDA_R_16F;
  default:
    return std::nullopt; // integer compute types
  }
}

backend::GemmMatrix operand(backend::GemmType type, const void* data, int64_t ld, bool rowOrder,
                            bool transposed, int64_t batchStride) {
  // Stored element (r, c) is at r + c * ld (column order) or r * ld + c (row order).
  int64_t rowStride = rowOrder ? ld : 1, colStride = rowOrder ? 1 : ld;
  if (transposed)
    std::swap(rowStride, colStride);
  return {type, data, rowStride, colStride, batchStride};
}

cublasStatus_t runGemm(backend::GemmArgs args, cudaStream_t stream, const void* alpha,
                       const void* beta, cudaDataType scalarType, bool devicePointers) {
  void* device = nullptr;
  void* backendStream = nullptr;
  if (__drawbridge_cudart_resolve_stream(stream, &device, &backendStream) != cudaSuccess)
    return CUBLAS_STATUS_NOT_INITIALIZED;
  auto* d = static_cast<backend::Device*>(device);
  auto* s = static_cast<backend::Stream*>(backendStream);
  if (devicePointers)
    if (auto status = d->synchronizeStream(s); !status.ok())
      return toCublas(status);
  auto a = readScalar(alpha, scalarType), b = readScalar(beta, scalarType);
  if (!a || !b)
    return CUBLAS_STATUS_INVALID_VALUE;
  args.alpha = *a;
  args.beta = *b;
  backend::Status status = d->gemm(args, s);
  if (!status.ok() && !status.message.empty())
    std::fprintf(stderr, "drawbridge: cuBLAS: %s\n", status.message.c_str());
  return toCublas(status);
}

int unimplementedApi(const char* name) {
  reportOnce(name, std::string("drawbridge: ") + name +
                       " is not implemented by Drawbridge's cuBLAS; it returns "
                       "CUBLAS_STATUS_NOT_SUPPORTED");
  return CUBLAS_STATUS_NOT_SUPPORTED;
}

} // namespace drawbridge::cublas
