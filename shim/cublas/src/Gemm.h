// What libcublas and libcublasLt share: CUDA data types as the backend's, column-major (or
// row-major) stored matrices as the strided logical operands the backend takes, scalars read in
// either pointer mode, and the call run on the backend behind libcudart, on the given stream.
#pragma once

#include "drawbridge/backend/Types.h"

#include <cublas_api.h>
#include <library_types.h>
#include <optional>

namespace drawbridge::cublas {

std::optional<backend::GemmType> gemmType(cudaDataType type);

/// The scalar (alpha, beta) type of a compute type: f32 for the 32F forms, f64, or f16.
std::optional<cudaDataType> scalarTypeOf(cublasComputeType_t compute);

/// A stored matrix of `rows` x `cols` elements with leading dimension `ld` (column-major, or
/// row-major when `rowOrder`), as the logical operand op(X) (its transpose when `transposed`).
backend::GemmMatrix operand(backend::GemmType type, const void* data, int64_t ld, bool rowOrder,
                            bool transposed, int64_t batchStride);

/// Runs `args` on the device behind the program's libcudart, on `stream`. In host pointer mode
/// alpha and beta are read now; in device pointer mode the backend reads them when the GEMM
/// runs, in stream order, without waiting here. A null `beta` keeps `args.beta` (cublasSger's
/// fixed 1); a null `alpha` is CUBLAS_STATUS_INVALID_VALUE.
cublasStatus_t runGemm(backend::GemmArgs args, cudaStream_t stream, const void* alpha,
                       const void* beta, cudaDataType scalarType, bool devicePointers);

/// Runs a level-1 operation like runGemm, alpha (when `alpha` is given) read likewise. A result
/// in host pointer mode is host memory, so the call returns once the stream has written it; in
/// device pointer mode it returns at once.
cublasStatus_t runVector(backend::VectorArgs args, cudaStream_t stream, const void* alpha,
                         bool devicePointers);

/// Runs triangular solves like runGemm, alpha read likewise (never null).
cublasStatus_t runTrsm(backend::TrsmArgs args, cudaStream_t stream, const void* alpha,
                       bool devicePointers);

/// The names and strings NVIDIA's cuBLAS and cuBLASLt give a status.
const char* statusName(cublasStatus_t status);
const char* statusString(cublasStatus_t status);

/// Names an unimplemented API once on stderr; returns CUBLAS_STATUS_NOT_SUPPORTED.
int unimplementedApi(const char* name);

} // namespace drawbridge::cublas
