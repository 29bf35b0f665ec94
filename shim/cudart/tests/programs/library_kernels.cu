// Device code that tests/programs/libraries.cu loads by handle (cudaLibraryLoadData and
// cudaLibraryLoadFromFile): nvcc compiles it at build time to PTX text, to a fatbin holding
// compute_80 PTX, and to an sm_80 cubin (SASS only). C linkage keeps the names as written.
extern "C" {

__device__ float bias;
__managed__ int hits;

__global__ void add_bias(float* out, const float* in, int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n)
    out[i] = in[i] + bias;
}

__global__ void count_hits(int n) {
  atomicAdd(&hits, n);
}

// Reverses a block through dynamic shared memory, so a launch must pass its size.
__global__ void reverse_shared(float* out, const float* in) {
  extern __shared__ float tile[];
  tile[threadIdx.x] = in[threadIdx.x];
  __syncthreads();
  out[threadIdx.x] = tile[blockDim.x - 1 - threadIdx.x];
}

} // extern "C"
