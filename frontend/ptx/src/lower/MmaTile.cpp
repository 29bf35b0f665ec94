#include "MmaTile.h"

#include "TensorCoreSum.h"

#include <llvm/IR/IntrinsicsNVPTX.h>

namespace drawbridge::ptx::nvvm {

using namespace llvm::Intrinsic;

llvm::Value* laneId(FunctionLowering& L) {
  return L.b().CreateIntrinsic(nvvm_read_ptx_sreg_laneid, {}, {});
}

llvm::Value* fromLane(FunctionLowering& L, llvm::Value* value, llvm::Value* source) {
  auto& b = L.b();
  return b.CreateIntrinsic(nvvm_shfl_sync_idx_i32, {},
                           {b.getInt32(0xffffffff), value, source, b.getInt32(0x1f)});
}

const std::vector<Operand>* registerList(FunctionLowering& L, const Instruction& inst, size_t index,
                                         size_t count, std::string_view what) {
  const Operand& op = inst.operands[index];
  if (op.kind == Operand::Kind::Vector && op.elements.size() == count)
    return &op.elements;
  L.fail(inst, "'" + inst.spelling() + "' needs " + std::to_string(count) + " registers in " +
                   "braces for " + std::string(what));
  return nullptr;
}

std::array<llvm::Value*, 2> unpackHalves(FunctionLowering& L, llvm::Value* bits,
                                         ScalarType element) {
  auto& b = L.b();
  llvm::Type* half = element == ScalarType::BF16 ? b.getBFloatTy() : b.getHalfTy();
  llvm::Value* pair = b.CreateBitCast(bits, llvm::FixedVectorType::get(half, 2));
  return {b.CreateFPExt(b.CreateExtractElement(pair, uint64_t(0)), b.getFloatTy()),
          b.CreateFPExt(b.CreateExtractElement(pair, uint64_t(1)), b.getFloatTy())};
}

llvm::Value* packHalves(FunctionLowering& L, llvm::Value* low, llvm::Value* high) {
  auto& b = L.b();
  llvm::Value* packed = llvm::PoisonValue::get(L.type(ScalarType::F16x2));
  packed = b.CreateInsertElement(packed, b.CreateFPTrunc(low, b.getHalfTy()), uint64_t(0));
  return b.CreateInsertElement(packed, b.CreateFPTrunc(high, b.getHalfTy()), uint64_t(1));
}

namespace {

// The elements of one 32-bit A or B register, lowest first: f32 for float shapes, i32 for
// integer ones (sign- or zero-extended).
std::vector<llvm::Value*> elementsOf(FunctionLowering& L, const MmaShape& shape, llvm::Value* bits,
                                     bool isSigned) {
  auto& b = L.b();
  if (shape.floatInput == ScalarType::TF32) {
    // The tensor cores read tf32's 19 bits and ignore the 13 below them.
    return {b.CreateBitCast(b.CreateAnd(bits, 0xffffe000), b.getFloatTy())};
  }
  if (!shape.integer) {
    auto pair = unpackHalves(L, bits, shape.floatInput);
    return {pair[0], pair[1]};
  }
  std::vector<llvm::Value*> elements;
  for (unsigned e = 0; e < shape.perRegister(); ++e) {
    // Shift the element to the top, then back down, extending its sign for signed types.
    llvm::Value* top = b.CreateShl(bits, 32 - shape.elementBits * (e + 1));
    unsigned down = 32 - shape.elementBits;
    elements.push_back(isSigned ? b.CreateAShr(top, down) : b.CreateLShr(top, down));
  }
  return elements;
}

} // namespace

// With groupID g = l/4 and t = l%4, and each 32-bit register holding n = 32/bits elements, lane
// l holds A[g + 8(r % h)][n t + e + 4n (r / h)] as element e of A register r (h = m/8 row
// halves) and B[n t + e + 4n r][g] in B register r.
TileRows gatherRows(FunctionLowering& L, const MmaShape& shape,
                    const std::vector<llvm::Value*>& aBits) {
  auto& b = L.b();
  llvm::Value* group = b.CreateLShr(laneId(L), 2);
  unsigned n = shape.perRegister(), halves = shape.halves();
  TileRows rows;
  for (unsigned h = 0; h < halves; ++h)
    rows[h].assign(shape.k, nullptr);
  // Lanes 4g .. 4g+3 hold row g + 8h.
  for (unsigned from = 0; from < 4; ++from) {
    llvm::Value* source = b.CreateAdd(b.CreateShl(group, 2), b.getInt32(from));
    for (unsigned r = 0; r < shape.aRegisters(); ++r) {
      auto elements = elementsOf(L, shape, fromLane(L, aBits[r], source), shape.aSigned);
      for (unsigned e = 0; e < n; ++e)
        rows[r % halves][n * (from + 4 * (r / halves)) + e] = elements[e];
    }
  }
  return rows;
}

TileRows gatherColumns(FunctionLowering& L, const MmaShape& shape,
                       const std::vector<llvm::Value*>& bBits) {
  auto& b = L.b();
  llvm::Value* pair = b.CreateAnd(laneId(L), 3);
  unsigned n = shape.perRegister();
  TileRows columns;
  // Lanes 4(2t+c) .. 4(2t+c)+3 hold column 2t + c.
  for (unsigned c = 0; c < 2; ++c) {
    columns[c].assign(shape.k, nullptr);
    llvm::Value* first = b.CreateShl(b.CreateOr(b.CreateShl(pair, 1), b.getInt32(c)), 2);
    for (unsigned from = 0; from < 4; ++from) {
      llvm::Value* source = b.CreateAdd(first, b.getInt32(from));
      for (unsigned r = 0; r < shape.bRegisters(); ++r) {
        auto elements = elementsOf(L, shape, fromLane(L, bBits[r], source), shape.bSigned);
        for (unsigned e = 0; e < n; ++e)
          columns[c][n * (from + 4 * r) + e] = elements[e];
      }
    }
  }
  return columns;
}

// C/D[g + 8(i/2)][2t + i%2] is the lane's output i.
std::vector<llvm::Value*> multiplyTile(FunctionLowering& L, const MmaShape& shape,
                                       const TileRows& rows, const TileRows& columns,
                                       std::vector<llvm::Value*> accumulators) {
  auto& b = L.b();
  if (!shape.integer) {
    // An f16 result is this f32 sum rounded to nearest by the caller, as published measurements
    // found binary16 outputs rounded (V100/A100; not yet measured on an H200).
    for (unsigned i = 0; i < shape.outputs(); ++i)
      accumulators[i] = tensorCoreSum(L, rows[i / 2], columns[i % 2], accumulators[i]);
    return accumulators;
  }
  // Sums of at most 256 products of bytes fit easily in i64; s32 wraps them, .satfinite clamps.
  auto combine = [&](llvm::Value* x, llvm::Value* y) {
    switch (shape.product) {
    case MmaShape::Product::And:
      return b.CreateAnd(x, y);
    case MmaShape::Product::Xor:
      return b.CreateXor(x, y);
    default:
      return b.CreateMul(x, y);
    }
  };
  for (unsigned i = 0; i < shape.outputs(); ++i) {
    llvm::Value* sum = b.CreateSExt(accumulators[i], b.getInt64Ty());
    for (unsigned kk = 0; kk < shape.k; ++kk)
      sum = b.CreateAdd(sum,
                        b.CreateSExt(combine(rows[i / 2][kk], columns[i % 2][kk]), b.getInt64Ty()));
    if (shape.satfinite) {
      sum = b.CreateBinaryIntrinsic(smax, sum, b.getInt64(INT32_MIN));
      sum = b.CreateBinaryIntrinsic(smin, sum, b.getInt64(INT32_MAX));
    }
    accumulators[i] = b.CreateTrunc(sum, b.getInt32Ty());
  }
  return accumulators;
}

} // namespace drawbridge::ptx::nvvm
