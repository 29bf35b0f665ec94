// Matrix-vector products (n == 1, f32, no bias or epilogue): what an LLM's decode step asks for.
// oneDNN 2.6 runs f32 ones through its brgemm kernels at a fraction of the memory bandwidth a
// plain loop reaches (cublas_gemm_bench shows both), so they are computed here: the matrix is read
// once, by rows or by columns as it is stored, split across threads when it is large.
#pragma once

#include "drawbridge/blas/Matmul.h"

namespace drawbridge::blas::detail {

/// Whether gemv() computes `p`: one f32 column out, A stored by rows or by columns.
bool isGemv(const MatmulProblem& p);

void gemv(const MatmulProblem& p);

} // namespace drawbridge::blas::detail
