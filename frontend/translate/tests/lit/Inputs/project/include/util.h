// A plain C++ header of the project with one CUDA name.
#pragma once
#include <vector>

inline bool ok(int status) { return status == 0; }
using Stream = cudaStream_t;
