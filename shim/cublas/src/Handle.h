// What a cublasHandle_t holds: the stream its work goes to, and the modes set on it.
#pragma once

#include <cublas_api.h>

struct cublasContext {
  cudaStream_t stream = nullptr;
  cublasPointerMode_t pointerMode = CUBLAS_POINTER_MODE_HOST;
  cublasMath_t mathMode = CUBLAS_DEFAULT_MATH;
  void* workspace = nullptr;
  size_t workspaceSize = 0;

  bool devicePointers() const { return pointerMode == CUBLAS_POINTER_MODE_DEVICE; }
};
