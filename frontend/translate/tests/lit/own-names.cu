// The program's own names that start like CUDA's or NCCL's are not reported, whether they are
// snake_case (cuda_check, nccl_id, cu_seqlens) or defined only in a disabled #if branch
// (ncclCheck, cudaCheckError), where the parse does not see them.
// RUN: %drawbridge translate %s 2>%t.err | %strip-checks | FileCheck %s
// RUN: FileCheck --implicit-check-not=DBT001 %s --check-prefix=DIAG < %t.err

#include <cuda_runtime.h>

#define cuda_check(call) (call)

#ifdef USE_NCCL
#include <nccl.h>
#define ncclCheck(cmd) (cmd)
static void cudaCheckError(const char* where) { (void)where; }
#endif

int run(int* cu_seqlens, int n) {
  int nccl_id = 0;
  // CHECK: cuda_check(hipMemset(cu_seqlens, 0, n * sizeof(int)));
  cuda_check(cudaMemset(cu_seqlens, 0, n * sizeof(int)));
#ifdef USE_NCCL
  ncclCheck(ncclGetUniqueId(nullptr));
  cudaCheckError("run");
#endif
  // A name that looks like the CUDA API and that the program does not define is still reported.
  // DIAG: own-names.cu:[[@LINE+1]]:9: warning: CUDA name cudaFrobnicate has no HIP mapping and was left as written; replace it by hand [DBT001]
  (void)cudaFrobnicate;
  return nccl_id;
}
