// libcu++ function objects passed to CUB become hipCUB's operator objects (not templates, so the
// template arguments go) or the std:: ones; their headers follow. Other libcu++ stays an error.
// RUN: not %drawbridge translate %s 2>%t.err | %strip-checks | FileCheck %s
// RUN: FileCheck --check-prefix=DIAG --implicit-check-not=error: %s < %t.err

// CHECK: #include <hipcub/hipcub.hpp>
#include <cub/cub.cuh>
// CHECK-NEXT: #include <hipcub/hipcub.hpp>
#include <cuda/functional>
// CHECK-NEXT: #include <functional>
#include <cuda/std/functional>

void reduce(const float* in, float* out, int n, void* scratch, size_t bytes) {
  // CHECK: hipcub::DeviceReduce::Reduce(scratch, bytes, in, out, n, hipcub::Max(), 0.f);
  cub::DeviceReduce::Reduce(scratch, bytes, in, out, n, cuda::maximum<>(), 0.f);
  // CHECK-NEXT: hipcub::DeviceReduce::Reduce(scratch, bytes, in, out, n, hipcub::Min{}, 0.f);
  cub::DeviceReduce::Reduce(scratch, bytes, in, out, n, cuda::minimum<float>{}, 0.f);
  // CHECK-NEXT: hipcub::DeviceReduce::Reduce(scratch, bytes, in, out, n, std::plus<>{}, 0.f);
  cub::DeviceReduce::Reduce(scratch, bytes, in, out, n, cuda::std::plus<>{}, 0.f);
  // CHECK-NEXT: out[0] = std::numeric_limits<float>::max();
  out[0] = cuda::std::numeric_limits<float>::max();
  // DIAG: libcuxx-functors.cu:[[@LINE+2]]:3: error: cuda::atomic_ref is libcu++, which HIP lacks; use the std:: equivalent [DBT011]
  // DIAG-NEXT: libcuxx-functors.cu:[[@LINE+1]]:27: error: cuda::thread_scope_device is libcu++, which HIP lacks; use the std:: equivalent [DBT011]
  cuda::atomic_ref<float, cuda::thread_scope_device> ref(out[1]);
}
