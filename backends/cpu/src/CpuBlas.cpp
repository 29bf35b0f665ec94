// The BLAS hook on the CPU: the interface's GEMM, vector and trsm arguments become the blas
// library's problems, checked when called (a bad argument is the call's error) and run in stream
// order.
#include "CpuDevice.h"
#include "drawbridge/blas/Matmul.h"
#include "drawbridge/blas/Trsm.h"
#include "drawbridge/blas/Vector.h"

namespace drawbridge::backend::cpu {
namespace {

blas::DataType blasType(GemmType type) {
  switch (type) {
  case GemmType::F32:
    return blas::DataType::F32;
  case GemmType::F64:
    return blas::DataType::F64;
  case GemmType::F16:
    return blas::DataType::F16;
  case GemmType::BF16:
    return blas::DataType::BF16;
  }
  return blas::DataType::F32;
}

template <typename M> M blasMatrix(const GemmMatrix& m) {
  using Pointer = decltype(M::data);
  M matrix;
  matrix.type = blasType(m.type);
  matrix.data = const_cast<Pointer>(m.data);
  matrix.rowStride = m.rowStride;
  matrix.colStride = m.colStride;
  matrix.batchStride = m.batchStride;
  matrix.batchPointers = const_cast<const Pointer*>(m.batchPointers);
  return matrix;
}

blas::MatmulProblem blasProblem(const GemmArgs& g) {
  blas::MatmulProblem p;
  p.m = g.m, p.n = g.n, p.k = g.k, p.batch = g.batch;
  p.a = blasMatrix<blas::Matrix>(g.a);
  p.b = blasMatrix<blas::Matrix>(g.b);
  p.c = blasMatrix<blas::Matrix>(g.c);
  p.d = blasMatrix<blas::OutputMatrix>(g.d);
  p.alpha = g.alpha;
  p.beta = g.beta;
  p.bias = g.bias;
  p.biasType = blasType(g.biasType);
  p.epilogue = g.epilogue == GemmEpilogue::Relu   ? blas::Epilogue::Relu
               : g.epilogue == GemmEpilogue::Gelu ? blas::Epilogue::Gelu
                                                  : blas::Epilogue::None;
  p.allowTf32 = g.allowTf32;
  p.alphaPointer = g.alphaPointer;
  p.betaPointer = g.betaPointer;
  p.scalarType = blasType(g.scalarType);
  return p;
}

blas::VectorOp blasOp(VectorOp op) {
  switch (op) {
  case VectorOp::Axpy:
    return blas::VectorOp::Axpy;
  case VectorOp::Scal:
    return blas::VectorOp::Scal;
  case VectorOp::Copy:
    return blas::VectorOp::Copy;
  case VectorOp::Dot:
    return blas::VectorOp::Dot;
  case VectorOp::Nrm2:
    return blas::VectorOp::Nrm2;
  case VectorOp::Asum:
    return blas::VectorOp::Asum;
  case VectorOp::Amax:
    return blas::VectorOp::Amax;
  }
  return blas::VectorOp::Axpy;
}

blas::VectorProblem blasProblem(const VectorArgs& v) {
  return {blasOp(v.op), blasType(v.type), v.n,     v.x, v.incx, v.y, v.incy,
          v.alpha,      v.alphaPointer,   v.result};
}

blas::TrsmProblem blasProblem(const TrsmArgs& t) {
  blas::TrsmProblem p;
  p.type = blasType(t.type);
  p.left = t.left, p.lower = t.lower, p.transpose = t.transpose, p.unitDiagonal = t.unitDiagonal;
  p.m = t.m, p.n = t.n, p.batch = t.batch;
  p.a = t.a, p.lda = t.lda, p.b = t.b, p.ldb = t.ldb;
  p.aPointers = t.aPointers, p.bPointers = t.bPointers;
  p.alpha = t.alpha, p.alphaPointer = t.alphaPointer;
  return p;
}

Status toStatus(const std::optional<blas::BlasError>& error) {
  if (!error)
    return Status::success();
  StatusCode code = error->code == blas::BlasErrorCode::InvalidValue   ? StatusCode::InvalidValue
                    : error->code == blas::BlasErrorCode::NotSupported ? StatusCode::NotSupported
                                                                       : StatusCode::LaunchFailure;
  return failure(code, error->message);
}

} // namespace

Status CpuDevice::submitBlas(Stream* stream, Status check, std::function<Status()> work) {
  if (Status status = sticky(); !status.ok())
    return status;
  if (!check.ok())
    return check;
  auto submitted = submit(stream, [this, work = std::move(work)] {
    if (!sticky().ok())
      return;
    if (Status status = work(); !status.ok())
      setSticky(status);
  });
  return submitted ? Status::success() : submitted.status();
}

Status CpuDevice::gemm(const GemmArgs& args, Stream* stream) {
  blas::MatmulProblem problem = blasProblem(args);
  return submitBlas(stream, toStatus(blas::checkMatmul(problem)),
                    [problem] { return toStatus(blas::matmul(problem)); });
}

Status CpuDevice::vector(const VectorArgs& args, Stream* stream) {
  blas::VectorProblem problem = blasProblem(args);
  return submitBlas(stream, toStatus(blas::checkVector(problem)),
                    [problem] { return toStatus(blas::vector(problem)); });
}

Status CpuDevice::trsm(const TrsmArgs& args, Stream* stream) {
  blas::TrsmProblem problem = blasProblem(args);
  return submitBlas(stream, toStatus(blas::checkTrsm(problem)),
                    [problem] { return toStatus(blas::trsm(problem)); });
}

} // namespace drawbridge::backend::cpu
