// Marks what libnccl.so.2 exports. NVIDIA's library exports every ncclX also as pncclX (the
// profiling interface); Drawbridge's pncclX is the same function under the second name.
#pragma once

#define DRAWBRIDGE_NCCL_EXPORT extern "C" __attribute__((visibility("default")))
#define DRAWBRIDGE_NCCL_PROFILING_ALIAS(name)                                                      \
  extern "C" __attribute__((visibility("default"), alias(#name))) decltype(name) p##name;
