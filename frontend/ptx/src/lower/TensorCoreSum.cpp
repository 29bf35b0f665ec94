// The truncating multi-term adder of NVIDIA's tensor cores. Fasi, Higham, Mikaitis and Pranesh
// ("Numerical behavior of NVIDIA tensor cores", PeerJ CS 2021) found that the products are exact,
// that each is aligned to the largest exponent of the group with the bits shifted out dropped,
// and that the result is normalised once, truncated; later measurements (Khattak and Mikaitis,
// "Accurate models of NVIDIA tensor cores", 2025) give the group sm_90 adds at once as 16
// products and the accumulator: a whole m16n8k16 (or m16n8k8) k-range, hence one group here.
//
// Computed in f64, where all of it is exact: f16/bf16 products have at most 22 significant bits
// and exponents far inside f64's range, every aligned term is an integer below 2^24 times a
// power of two, and 17 of them sum below 2^29.
#include "TensorCoreSum.h"

namespace drawbridge::ptx::nvvm {
namespace {

constexpr int kF32Precision =
    24; // significant bits kept below the largest exponent, its own bit included

// 2^(e - 1023) as an f64, for a biased exponent `e` in f64's normal range.
llvm::Value* powerOfTwo(llvm::IRBuilderBase& b, llvm::Value* biased) {
  return b.CreateBitCast(b.CreateShl(b.CreateZExt(biased, b.getInt64Ty()), 52), b.getDoubleTy());
}

// The biased f64 exponent of x (0 for zero; no f64 subnormal arises here).
llvm::Value* biasedExponent(llvm::IRBuilderBase& b, llvm::Value* x) {
  llvm::Value* bits = b.CreateBitCast(x, b.getInt64Ty());
  return b.CreateTrunc(b.CreateAnd(b.CreateLShr(bits, 52), 0x7ff), b.getInt32Ty());
}

// f64 to f32 toward zero: the nearest f32, one step back toward zero where it lies further
// from zero than v. A finite v beyond f32's range overflows to an infinity, as normalising
// into f32 does.
llvm::Value* truncateToFloat(llvm::IRBuilderBase& b, llvm::Value* v) {
  llvm::Value* nearest = b.CreateFPTrunc(v, b.getFloatTy());
  llvm::Value* widened = b.CreateFPExt(nearest, b.getDoubleTy());
  llvm::Value* away = b.CreateFCmpOGT(b.CreateUnaryIntrinsic(llvm::Intrinsic::fabs, widened),
                                      b.CreateUnaryIntrinsic(llvm::Intrinsic::fabs, v));
  llvm::Value* finite = b.CreateFCmpONE(b.CreateUnaryIntrinsic(llvm::Intrinsic::fabs, nearest),
                                        llvm::ConstantFP::getInfinity(b.getFloatTy()));
  llvm::Value* bits = b.CreateBitCast(nearest, b.getInt32Ty());
  llvm::Value* back = b.CreateBitCast(b.CreateSub(bits, b.getInt32(1)), b.getFloatTy());
  return b.CreateSelect(b.CreateAnd(away, finite), back, nearest);
}

} // namespace

llvm::Value* tensorCoreSum(FunctionLowering& L, llvm::ArrayRef<llvm::Value*> a,
                           llvm::ArrayRef<llvm::Value*> b, llvm::Value* c) {
  auto& ir = L.b();
  llvm::Type* f64 = ir.getDoubleTy();
  std::vector<llvm::Value*> terms{ir.CreateFPExt(c, f64)};
  for (size_t i = 0; i < a.size(); ++i)
    terms.push_back(ir.CreateFMul(ir.CreateFPExt(a[i], f64), ir.CreateFPExt(b[i], f64)));

  // IEEE's sum stands where a term is infinite or NaN (inf - inf and 0 * inf are NaNs).
  llvm::Value* ieee = ir.CreateFPExt(c, f64);
  for (size_t i = 1; i < terms.size(); ++i)
    ieee = ir.CreateFAdd(ieee, terms[i]);
  llvm::Value* special = ir.CreateFCmpUEQ(ir.CreateUnaryIntrinsic(llvm::Intrinsic::fabs, ieee),
                                          llvm::ConstantFP::getInfinity(f64));

  llvm::Value* largest = ir.getInt32(0);
  for (llvm::Value* term : terms)
    largest = ir.CreateBinaryIntrinsic(llvm::Intrinsic::umax, largest, biasedExponent(ir, term));
  // All-zero groups sum to zero at any alignment; keep the scale factors in range for them.
  largest = ir.CreateBinaryIntrinsic(llvm::Intrinsic::umax, largest, ir.getInt32(1023 - 512));
  // Terms scaled so that the largest exponent's bit is 2^(precision - 1): the integer part is
  // what the aligned adder keeps.
  llvm::Value* up = powerOfTwo(ir, ir.CreateSub(ir.getInt32(2046 + kF32Precision - 1), largest));
  llvm::Value* down = powerOfTwo(ir, ir.CreateSub(largest, ir.getInt32(kF32Precision - 1)));
  llvm::Value* sum = llvm::ConstantFP::get(f64, -0.0); // -0 + -0 stays -0, as IEEE's sum does
  for (llvm::Value* term : terms)
    sum = ir.CreateFAdd(sum,
                        ir.CreateUnaryIntrinsic(llvm::Intrinsic::trunc, ir.CreateFMul(term, up)));
  llvm::Value* aligned = truncateToFloat(ir, ir.CreateFMul(sum, down));
  return ir.CreateSelect(special, ir.CreateFPTrunc(ieee, ir.getFloatTy()), aligned);
}

} // namespace drawbridge::ptx::nvvm
