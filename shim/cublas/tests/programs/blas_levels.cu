// An ordinary cuBLAS program: kernels prepare vectors and scalars, and levels 1 and 2 and the
// batched GEMM use them, in host and device pointer modes, all on one stream. It prints what
// cuBLAS computed (integers, exact in f32) for the test to compare with values worked by hand.
#include "Check.cuh"

#include <cublas_v2.h>
#include <vector>

#define BLAS_OK(call)                                                                              \
  do {                                                                                             \
    cublasStatus_t status_ = (call);                                                               \
    if (status_ != CUBLAS_STATUS_SUCCESS) {                                                        \
      std::printf("FAIL %s:%d: %s returned %s\n", __FILE__, __LINE__, #call,                       \
                  cublasGetStatusName(status_));                                                   \
      std::exit(1);                                                                                \
    }                                                                                              \
  } while (0)

// x[i] = (i % period) + offset
__global__ void pattern(float* x, int n, int period, float offset) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n)
    x[i] = float(i % period) + offset;
}

__global__ void setScalar(float* p, float value) {
  *p = value;
}

__global__ void addOne(float* p) {
  *p += 1;
}

int main() {
  const int n = 100;
  cudaStream_t stream;
  OK(cudaStreamCreate(&stream));
  cublasHandle_t handle;
  BLAS_OK(cublasCreate(&handle));
  BLAS_OK(cublasSetStream(handle, stream));
  float *x, *y, *scalars;
  OK(cudaMalloc(&x, n * sizeof(float)));
  OK(cudaMalloc(&y, n * sizeof(float)));
  OK(cudaMalloc(&scalars, 4 * sizeof(float)));
  pattern<<<1, 128, 0, stream>>>(x, n, 7, -2); // -2 .. 4
  pattern<<<1, 128, 0, stream>>>(y, n, 5, -2); // -2 .. 2

  // Host pointer mode: results come back to host variables.
  float alpha = 2, dot = 0, asum = 0;
  int amax = 0;
  BLAS_OK(cublasSaxpy(handle, n, &alpha, x, 1, y, 1)); // y = 2x + y
  BLAS_OK(cublasSdot(handle, n, x, 1, y, 1, &dot));
  BLAS_OK(cublasSasum(handle, n, x, 1, &asum));
  BLAS_OK(cublasIsamax(handle, n, x, 1, &amax));
  std::printf("dot %.0f asum %.0f amax %d\n", dot, asum, amax);
  float strided = 0;
  BLAS_OK(cublasSdot(handle, n / 3, x, 3, y, -2, &strided));
  std::printf("strided dot %.0f\n", strided);

  // Device pointer mode: a kernel writes alpha, cuBLAS writes results a kernel then reads.
  BLAS_OK(cublasSetPointerMode(handle, CUBLAS_POINTER_MODE_DEVICE));
  setScalar<<<1, 1, 0, stream>>>(scalars, 3);
  BLAS_OK(cublasSscal(handle, n, scalars, x, 1)); // x = 3x
  BLAS_OK(cublasSdot(handle, n, x, 1, x, 1, scalars + 1));
  addOne<<<1, 1, 0, stream>>>(scalars + 1);
  BLAS_OK(cublasScopy(handle, n, x, 1, y, 1));
  setScalar<<<1, 1, 0, stream>>>(scalars + 3, 4);
  BLAS_OK(cublasSnrm2(handle, 2, scalars, 3, scalars + 2)); // of (3, 4)
  float results[3];
  OK(cudaMemcpyAsync(results, scalars, sizeof results, cudaMemcpyDeviceToHost, stream));
  OK(cudaStreamSynchronize(stream));
  std::printf("device: alpha %.0f dot+1 %.0f nrm2 %.0f\n", results[0], results[1], results[2]);

  // Sgemv and Sger on a 6 x 4 matrix with lda 8; alpha and beta from device memory.
  const int m = 6, cols = 4, lda = 8;
  float* a;
  OK(cudaMalloc(&a, lda * cols * sizeof(float)));
  pattern<<<1, 64, 0, stream>>>(a, lda * cols, 5, -1); // -1 .. 3
  setScalar<<<1, 1, 0, stream>>>(scalars, 1);
  setScalar<<<1, 1, 0, stream>>>(scalars + 1, 0);
  BLAS_OK(cublasSgemv(handle, CUBLAS_OP_T, m, cols, scalars, a, lda, x, 2, scalars + 1, y, 1));
  BLAS_OK(cublasSger(handle, m, cols, scalars, x, 1, y, -1, a, lda));
  std::vector<float> gemv(cols), ger(lda * cols);
  OK(cudaMemcpyAsync(gemv.data(), y, cols * sizeof(float), cudaMemcpyDeviceToHost, stream));
  OK(cudaMemcpyAsync(ger.data(), a, ger.size() * sizeof(float), cudaMemcpyDeviceToHost, stream));
  OK(cudaStreamSynchronize(stream));
  std::printf("gemv");
  for (float v : gemv)
    std::printf(" %.0f", v);
  float gerSum = 0;
  for (int j = 0; j < cols; ++j)
    for (int i = 0; i < m; ++i)
      gerSum += ger[i + j * lda] * float(i + 1) * float(j + 1);
  std::printf("\nger weighted sum %.0f\n", gerSum);

  // Two 4 x 4 GEMMs through arrays of addresses in device memory.
  BLAS_OK(cublasSetPointerMode(handle, CUBLAS_POINTER_MODE_HOST));
  const float* inputs[2] = {x, x + 16};
  float* outputs[2] = {y, y + 16};
  const float** dInputs;
  float** dOutputs;
  OK(cudaMalloc(&dInputs, sizeof inputs));
  OK(cudaMalloc(&dOutputs, sizeof outputs));
  OK(cudaMemcpyAsync(dInputs, inputs, sizeof inputs, cudaMemcpyHostToDevice, stream));
  OK(cudaMemcpyAsync(dOutputs, outputs, sizeof outputs, cudaMemcpyHostToDevice, stream));
  float one = 1, zero = 0;
  BLAS_OK(cublasSgemmBatched(handle, CUBLAS_OP_N, CUBLAS_OP_T, 4, 4, 4, &one, dInputs, 4, dInputs,
                             4, &zero, dOutputs, 4, 2));
  std::vector<float> batched(32);
  OK(cudaMemcpy(batched.data(), y, batched.size() * sizeof(float), cudaMemcpyDeviceToHost));
  std::printf("batched traces %.0f %.0f\n", batched[0] + batched[5] + batched[10] + batched[15],
              batched[16] + batched[21] + batched[26] + batched[31]);

  cublasDestroy(handle);
  std::printf("blas levels ok\n");
  return 0;
}
