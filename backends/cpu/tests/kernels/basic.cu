// Kernels without barriers: arithmetic, indexing over 1D/2D/3D grids and blocks.
extern "C" __global__ void vector_add(const float* a, const float* b, float* c, int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n)
    c[i] = a[i] + b[i];
}

// Writes each thread's global coordinates so the host can check every index register.
extern "C" __global__ void coordinates(unsigned* out) {
  unsigned bx = blockIdx.x, by = blockIdx.y, bz = blockIdx.z;
  unsigned tx = threadIdx.x, ty = threadIdx.y, tz = threadIdx.z;
  unsigned x = bx * blockDim.x + tx, y = by * blockDim.y + ty, z = bz * blockDim.z + tz;
  unsigned width = gridDim.x * blockDim.x, height = gridDim.y * blockDim.y;
  unsigned i = (z * height + y) * width + x;
  out[3 * i + 0] = x;
  out[3 * i + 1] = y;
  out[3 * i + 2] = z;
}

struct Pair {
  int a;
  double b;
};
extern "C" __global__ void by_value(Pair p, char c, double* out) {
  out[threadIdx.x] = p.a * p.b + c;
}

// Bounds guards in the forms the block function splits the thread loop at (ThreadGuard.cpp);
// each marks the threads for which its guard holds.
extern "C" __global__ void guard_less(int* out, int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n)
    out[i] = 1;
}
extern "C" __global__ void guard_early_return(int* out, int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i >= n)
    return;
  out[i] = 2;
}
extern "C" __global__ void guard_greater(int* out, int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i > n)
    out[i] = 3;
}
extern "C" __global__ void guard_thread_only(int* out, unsigned n) {
  if (threadIdx.x <= n)
    out[blockIdx.x * blockDim.x + threadIdx.x] = 4;
}
// base + threadIdx.x wraps past INT_MAX within the block: no split point exists.
extern "C" __global__ void guard_wrapping(int* out, int base, int n) {
  int i = base + int(threadIdx.x);
  if (i < n)
    out[threadIdx.x] = 5;
}

// __constant__ and __device__ variables, reached by the host through Device::getGlobal.
__constant__ float scale[4];
__device__ int counter;
__device__ double table[3] = {1.5, 2.5, 3.5};
extern "C" __global__ void use_globals(float* out) {
  out[threadIdx.x] = scale[threadIdx.x % 4] * float(table[threadIdx.x % 3]);
  atomicAdd(&counter, 1);
}

// Each thread changes its own copy of a by-value struct parameter.
extern "C" __global__ void writes_by_value(Pair p, double* out) {
  p.a += int(threadIdx.x);
  __syncthreads(); // a thread's copy must survive the barrier unchanged by the others
  out[threadIdx.x] = *static_cast<volatile int*>(&p.a) + p.b; // read back from memory
}
