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

double readScalar(const void* pointer, backend::GemmType type) {
  switch (type) {
  case backend::GemmType::F32:
    return *static_cast<const float*>(pointer);
  case backend::GemmType::F64:
    return *static_cast<const double*>(pointer);
  case backend::GemmType::F16:
    return static_cast<double>(__half2float(*static_cast<const __half*>(pointer)));
  case backend::GemmType::BF16:
    return static_cast<double>(__bfloat162float(*static_cast<const __nv_bfloat16*>(pointer)));
  }
  return 0;
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

// The device behind the program's libcudart and the backend stream a CUDA stream names.
struct Target {
  backend::Device* device;
  backend::Stream* stream;
};

std::optional<Target> resolve(cudaStream_t stream) {
  void* device = nullptr;
  void* backendStream = nullptr;
  if (__drawbridge_cudart_resolve_stream(stream, &device, &backendStream) != cudaSuccess)
    return std::nullopt;
  return Target{static_cast<backend::Device*>(device),
                static_cast<backend::Stream*>(backendStream)};
}

cublasStatus_t report(const backend::Status& status) {
  if (!status.ok() && !status.message.empty())
    std::fprintf(stderr, "drawbridge: cuBLAS: %s\n", status.message.c_str());
  return toCublas(status);
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
  auto target = resolve(stream);
  auto type = gemmType(scalarType);
  if (!target)
    return CUBLAS_STATUS_NOT_INITIALIZED;
  if (!alpha || !type)
    return CUBLAS_STATUS_INVALID_VALUE;
  if (devicePointers) {
    args.alphaPointer = alpha;
    args.betaPointer = beta;
    args.scalarType = *type;
  } else {
    args.alpha = readScalar(alpha, *type);
    if (beta)
      args.beta = readScalar(beta, *type);
  }
  return report(target->device->gemm(args, target->stream));
}

cublasStatus_t runVector(backend::VectorArgs args, cudaStream_t stream, const void* alpha,
                         bool devicePointers) {
  auto target = resolve(stream);
  if (!target)
    return CUBLAS_STATUS_NOT_INITIALIZED;
  if (alpha && devicePointers)
    args.alphaPointer = alpha;
  else if (alpha)
    args.alpha = readScalar(alpha, args.type);
  if (cublasStatus_t status = report(target->device->vector(args, target->stream));
      status != CUBLAS_STATUS_SUCCESS || !args.result || devicePointers)
    return status;
  return report(target->device->synchronizeStream(target->stream));
}

cublasStatus_t runTrsm(backend::TrsmArgs args, cudaStream_t stream, const void* alpha,
                       bool devicePointers) {
  auto target = resolve(stream);
  if (!target)
    return CUBLAS_STATUS_NOT_INITIALIZED;
  if (devicePointers)
    args.alphaPointer = alpha;
  else
    args.alpha = readScalar(alpha, args.type);
  return report(target->device->trsm(args, target->stream));
}

int unimplementedApi(const char* name) {
  reportOnce(name, std::string("drawbridge: ") + name +
                       " is not implemented by Drawbridge's cuBLAS; it returns "
                       "CUBLAS_STATUS_NOT_SUPPORTED");
  return CUBLAS_STATUS_NOT_SUPPORTED;
}

} // namespace drawbridge::cublas
