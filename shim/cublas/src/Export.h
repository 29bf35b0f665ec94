// Marks what libcublas.so.13 and libcublasLt.so.13 export; the definitions are checked
// against NVIDIA's own declarations (cublas_api.h, cublasLt.h).
#pragma once

#define DRAWBRIDGE_CUBLAS_EXPORT extern "C" __attribute__((visibility("default")))
