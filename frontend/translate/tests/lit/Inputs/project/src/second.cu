#include "common.cuh"

#ifdef USE_SECOND
void second(float* p) { clear(p, 1, cudaStreamPerThread); }
#endif
