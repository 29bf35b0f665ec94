// Marks the functions libcudart.so.13 exports. They are defined against NVIDIA's own
// declarations (cuda_runtime_api.h, crt/host_runtime.h), so the compiler checks the ABI.
#pragma once

#define DRAWBRIDGE_CUDART_EXPORT extern "C" __attribute__((visibility("default")))
