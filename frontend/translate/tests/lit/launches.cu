// Launches: kept as <<<>>> by default (nvcc's spaced form closed up), or hipLaunchKernelGGL with
// --hip-launch-syntax, including launches in macros, in templates, of template kernels and in
// lambdas. Only the launch punctuation changes, so macros stay balanced.
// RUN: %drawbridge translate %s | %strip-checks | FileCheck --check-prefix=KEEP %s
// RUN: %drawbridge translate %s --hip-launch-syntax | %strip-checks | FileCheck --check-prefix=GGL %s

template <typename T, int N> __global__ void scale(T* p, T f) { p[threadIdx.x] *= f; }
__global__ void none() {}

// KEEP: #define LAUNCH(k, g, b, ...) k<<<g, b>>>(__VA_ARGS__)
// GGL: #define LAUNCH(k, g, b, ...) hipLaunchKernelGGL(k, g, b, 0, 0, __VA_ARGS__)
#define LAUNCH(k, g, b, ...) k<<<g, b>>>(__VA_ARGS__)
// GGL-NEXT: #define LAUNCH_NONE(s) hipLaunchKernelGGL(none, 1, 1, 0, s)
#define LAUNCH_NONE(s) none<<<1, 1, 0, s>>>()
// A launch split over continued lines.
// GGL: #define LAUNCH_SPLIT(p) \
// GGL-NEXT:   hipLaunchKernelGGL((scale<float, 2>), 1, 2, 0, 0, p, 1.0f)
#define LAUNCH_SPLIT(p) \
  scale<float, 2><<< \
      1, 2>>>(p, 1.0f)

template <typename T>
void run(T* p, cudaStream_t s) {
  // KEEP: scale<T, 64><<<dim3(4), dim3(64), 0, s>>>(p, T(2));
  // GGL: hipLaunchKernelGGL((scale<T, 64>), dim3(4), dim3(64), 0, s, p, T(2));
  scale<T, 64><<<dim3(4), dim3(64), 0, s>>>(p, T(2));
  // GGL-NEXT: LAUNCH((scale<T, 64>), 4, 64, p, T(3));
  LAUNCH((scale<T, 64>), 4, 64, p, T(3));
  // GGL-NEXT: LAUNCH_NONE(s);
  LAUNCH_NONE(s);
}

void host(float* p) {
  // KEEP: auto l = [&](int n) { scale<float, 64><<<n, 64>>>(p, 0.5f); };
  // GGL: auto l = [&](int n) { hipLaunchKernelGGL((scale<float, 64>), n, 64, 0, 0, p, 0.5f); };
  auto l = [&](int n) { scale<float, 64><<<n, 64>>>(p, 0.5f); };
  l(2);
  // KEEP: none <<<1, 1 >>> ();
  // GGL: hipLaunchKernelGGL(none, 1, 1, 0, 0);
  none << <1, 1 >> > ();
  // Shifts are not launches.
  // KEEP: int x = 1 << 3, y = 64 >> 2;
  // GGL: int x = 1 << 3, y = 64 >> 2;
  int x = 1 << 3, y = 64 >> 2;
  // KEEP: ::none<<<x, y>>>();
  // GGL: hipLaunchKernelGGL(::none, x, y, 0, 0);
  ::none<<<x, y>>>();
}
