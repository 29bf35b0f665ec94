// Tensor-core warp instructions by exact scalar emulation, with the fragment layouts of the PTX
// ISA ("Matrix fragments for mma.m16n8k16 / m16n8k8", "ldmatrix"). Lanes exchange what they hold
// with shfl.sync.idx, the warp collective every backend already runs: ldmatrix swaps row
// addresses, then each lane loads its own elements; mma gathers the rows of A and columns of B
// that a lane's part of D needs, then accumulates in f32.
#include "Common.h"

#include <array>
#include <llvm/IR/IntrinsicsNVPTX.h>

namespace drawbridge::ptx::nvvm {
namespace {

using namespace llvm::Intrinsic;

llvm::Value* laneId(FunctionLowering& L) {
  return L.b().CreateIntrinsic(nvvm_read_ptx_sreg_laneid, {}, {});
}

// The 32 bits `value` holds in lane `source` (all lanes take part, as .aligned requires).
llvm::Value* fromLane(FunctionLowering& L, llvm::Value* value, llvm::Value* source) {
  auto& b = L.b();
  return b.CreateIntrinsic(nvvm_shfl_sync_idx_i32, {},
                           {b.getInt32(0xffffffff), value, source, b.getInt32(0x1f)});
}

// A 64-bit value from another lane, as two 32-bit shuffles.
llvm::Value* fromLane64(FunctionLowering& L, llvm::Value* value, llvm::Value* source) {
  auto& b = L.b();
  llvm::Value* lo = fromLane(L, b.CreateTrunc(value, b.getInt32Ty()), source);
  llvm::Value* hi = fromLane(L, b.CreateTrunc(b.CreateLShr(value, 32), b.getInt32Ty()), source);
  return b.CreateOr(b.CreateZExt(lo, b.getInt64Ty()),
                    b.CreateShl(b.CreateZExt(hi, b.getInt64Ty()), 32));
}

// The registers of a {a, b, ...} operand (or a lone register), checking how many there are.
const std::vector<Operand>* registerList(FunctionLowering& L, const Instruction& inst, size_t index,
                                         size_t count, std::string_view what) {
  const Operand& op = inst.operands[index];
  if (op.kind == Operand::Kind::Vector && op.elements.size() == count)
    return &op.elements;
  L.fail(inst, "'" + inst.spelling() + "' needs " + std::to_string(count) + " registers in " +
                   "braces for " + std::string(what));
  return nullptr;
}

// ldmatrix.sync.aligned.m8n8.{x1,x2,x4}{.trans}{.shared}.b16 d, [p]: lanes 8j..8j+7 give the
// row addresses of matrix j; lane l receives row l/4, columns 2(l%4) and 2(l%4)+1 of each
// matrix (of its transpose with .trans), the lower column in the low half.
void lowerLdmatrix(FunctionLowering& L, const Instruction& inst) {
  if (!inst.has("m8n8") || !inst.has("b16"))
    return L.unsupported(inst, "ldmatrix is supported for .m8n8 with .b16 elements");
  unsigned matrices = inst.has("x1") ? 1 : inst.has("x2") ? 2 : inst.has("x4") ? 4 : 0;
  if (!matrices)
    return L.fail(inst, "ldmatrix needs a matrix count: .x1, .x2 or .x4");
  if (!L.expectOperands(inst, 2, 2))
    return;
  if (inst.operands[1].kind != Operand::Kind::Address)
    return L.fail(inst, "operand 2 of '" + inst.spelling() + "' must be an address in brackets");
  const Operand& dest = inst.operands[0];
  if (!(dest.kind == Operand::Kind::Register && matrices == 1) &&
      !registerList(L, inst, 0, matrices, "the destination"))
    return;
  llvm::Value* pointer = L.address(inst.operands[1], inst.space);
  if (!pointer)
    return L.fail(inst, "cannot form the address of '" + inst.spelling() + "'");
  auto& b = L.b();
  llvm::Type* pointerType = pointer->getType();
  llvm::Value* own = b.CreatePtrToInt(pointer, b.getInt64Ty());
  llvm::Value* lane = laneId(L);
  llvm::Value* quad = b.CreateLShr(lane, 2);        // l / 4
  llvm::Value* pairIndex = b.CreateAnd(lane, 3);    // l % 4
  llvm::Value* pairRow = b.CreateShl(pairIndex, 1); // 2 (l % 4)
  bool transposed = inst.has("trans");
  // Loads the element at `column` of the row whose address lane `source` holds.
  auto load = [&](llvm::Type* type, llvm::Value* source, llvm::Value* byteOffset) {
    llvm::Value* row = fromLane64(L, own, source);
    llvm::Value* at = b.CreateIntToPtr(b.CreateAdd(row, byteOffset), pointerType);
    return b.CreateAlignedLoad(type, at, llvm::Align(type->getPrimitiveSizeInBits() / 8));
  };
  for (unsigned j = 0; j < matrices; ++j) {
    llvm::Value* first = b.getInt32(8 * j);
    llvm::Value* value = nullptr;
    if (!transposed) {
      // Row l/4; both columns are adjacent, one 32-bit load.
      value = load(b.getInt32Ty(), b.CreateAdd(first, quad),
                   b.CreateZExt(b.CreateShl(pairIndex, 2), b.getInt64Ty()));
    } else {
      // Element (r, c) of the transpose is element (c, r): rows 2(l%4) and 2(l%4)+1, column l/4.
      llvm::Value* column = b.CreateZExt(b.CreateShl(quad, 1), b.getInt64Ty());
      llvm::Value* lo = load(b.getInt16Ty(), b.CreateAdd(first, pairRow), column);
      llvm::Value* hi =
          load(b.getInt16Ty(), b.CreateAdd(first, b.CreateOr(pairRow, b.getInt32(1))), column);
      value = b.CreateOr(b.CreateZExt(lo, b.getInt32Ty()),
                         b.CreateShl(b.CreateZExt(hi, b.getInt32Ty()), 16));
    }
    L.write(dest.kind == Operand::Kind::Vector ? dest.elements[j] : dest, value, ScalarType::B32);
  }
}

struct MmaShape {
  unsigned k;           // 16 or 8
  ScalarType input;     // f16 or bf16
  bool halfAccumulator; // C and D are f16x2 pairs rather than f32
  bool halfResult;
};

std::optional<MmaShape> mmaShape(FunctionLowering& L, const Instruction& inst) {
  unsigned k = inst.has("m16n8k16") ? 16 : inst.has("m16n8k8") ? 8 : 0;
  const auto& t = inst.types; // d, a, b, c
  bool typesOk = t.size() == 4 && t[1] == t[2] &&
                 (t[1] == ScalarType::F16 || t[1] == ScalarType::BF16) &&
                 (t[0] == ScalarType::F32 || t[0] == ScalarType::F16) &&
                 (t[3] == ScalarType::F32 || t[3] == ScalarType::F16) &&
                 (t[1] == ScalarType::F16 || (t[0] == ScalarType::F32 && t[3] == ScalarType::F32));
  if (!k || !typesOk || !inst.has("row") || !inst.has("col") || !inst.has("sync") ||
      !inst.has("aligned")) {
    L.unsupported(inst, "mma is supported as mma.sync.aligned.{m16n8k16,m16n8k8}.row.col with "
                        "f16 or bf16 inputs and f32 (or, for f16, f16) accumulators");
    return std::nullopt;
  }
  return MmaShape{k, t[1], t[3] == ScalarType::F16, t[0] == ScalarType::F16};
}

// The two elements of a packed 16-bit pair, widened to f32 (exactly).
std::array<llvm::Value*, 2> unpack(FunctionLowering& L, llvm::Value* bits, ScalarType element) {
  auto& b = L.b();
  llvm::Type* half = element == ScalarType::BF16 ? b.getBFloatTy() : b.getHalfTy();
  llvm::Value* pair = b.CreateBitCast(bits, llvm::FixedVectorType::get(half, 2));
  return {b.CreateFPExt(b.CreateExtractElement(pair, uint64_t(0)), b.getFloatTy()),
          b.CreateFPExt(b.CreateExtractElement(pair, uint64_t(1)), b.getFloatTy())};
}

// mma.sync.aligned.m16n8k{16,8}.row.col.dtype.{f16,bf16}.{f16,bf16}.ctype d, a, b, c.
// With groupID g = l/4 and t = l%4, lane l holds A[g + 8(i/2 % 2)][2t + i%2 + 8(i/4)] as a_i
// (k8: the first four), B[2t + i%2 + 8(i/2)][g] as b_i, and C/D[g + 8(i/2)][2t + i%2] as c_i.
// Each lane computes its four elements of D; products of f16/bf16 values are exact in f32, and
// each is added with one rounding, k in ascending order.
void lowerMma(FunctionLowering& L, const Instruction& inst) {
  auto shape = mmaShape(L, inst);
  if (!shape || !L.expectOperands(inst, 4, 4))
    return;
  unsigned aRegs = shape->k / 4, bRegs = shape->k / 8;
  unsigned cRegs = shape->halfAccumulator ? 2 : 4, dRegs = shape->halfResult ? 2 : 4;
  auto* d = registerList(L, inst, 0, dRegs, "D");
  auto* a = d ? registerList(L, inst, 1, aRegs, "A") : nullptr;
  auto* bList = a ? registerList(L, inst, 2, bRegs, "B") : nullptr;
  auto* c = bList ? registerList(L, inst, 3, cRegs, "C") : nullptr;
  if (!c)
    return;
  auto readAll = [&](const std::vector<Operand>& regs, ScalarType as) {
    std::vector<llvm::Value*> values;
    for (const auto& r : regs)
      values.push_back(L.read(r, as));
    return values;
  };
  auto aBits = readAll(*a, ScalarType::B32), bBits = readAll(*bList, ScalarType::B32);
  auto cValues = readAll(*c, shape->halfAccumulator ? ScalarType::B32 : ScalarType::F32);
  for (const auto* values : {&aBits, &bBits, &cValues})
    for (llvm::Value* v : *values)
      if (!v)
        return L.fail(inst, "the operands of '" + inst.spelling() + "' cannot be read");

  auto& b = L.b();
  llvm::Value* lane = laneId(L);
  llvm::Value* group = b.CreateLShr(lane, 2);
  llvm::Value* pair = b.CreateAnd(lane, 3);

  // rows[h][k] = A[g + 8h][k]: lanes 4g .. 4g+3 hold row g + 8h.
  std::vector<llvm::Value*> rows[2];
  for (auto& row : rows)
    row.assign(shape->k, nullptr);
  for (unsigned from = 0; from < 4; ++from) {
    llvm::Value* source = b.CreateAdd(b.CreateShl(group, 2), b.getInt32(from));
    for (unsigned i = 0; i < aRegs; ++i) {
      auto elements = unpack(L, fromLane(L, aBits[i], source), shape->input);
      for (unsigned e = 0; e < 2; ++e)
        rows[i % 2][2 * from + e + 8 * (i / 2)] = elements[e];
    }
  }
  // columns[n][k] = B[k][2t + n]: lanes 4(2t+n) .. 4(2t+n)+3 hold that column.
  std::vector<llvm::Value*> columns[2];
  for (unsigned n = 0; n < 2; ++n) {
    columns[n].assign(shape->k, nullptr);
    llvm::Value* first = b.CreateShl(b.CreateOr(b.CreateShl(pair, 1), b.getInt32(n)), 2);
    for (unsigned from = 0; from < 4; ++from) {
      llvm::Value* source = b.CreateAdd(first, b.getInt32(from));
      for (unsigned i = 0; i < bRegs; ++i) {
        auto elements = unpack(L, fromLane(L, bBits[i], source), shape->input);
        for (unsigned e = 0; e < 2; ++e)
          columns[n][2 * from + e + 8 * i] = elements[e];
      }
    }
  }

  std::array<llvm::Value*, 4> accumulators;
  for (unsigned i = 0; i < 4; ++i)
    accumulators[i] =
        shape->halfAccumulator ? unpack(L, cValues[i / 2], ScalarType::F16)[i % 2] : cValues[i];
  for (unsigned i = 0; i < 4; ++i)
    for (unsigned kk = 0; kk < shape->k; ++kk)
      accumulators[i] = b.CreateIntrinsic(llvm::Intrinsic::fma, {b.getFloatTy()},
                                          {rows[i / 2][kk], columns[i % 2][kk], accumulators[i]});

  if (!shape->halfResult) {
    for (unsigned i = 0; i < 4; ++i)
      L.write((*d)[i], accumulators[i], ScalarType::F32);
    return;
  }
  for (unsigned r = 0; r < 2; ++r) {
    llvm::Value* packed = llvm::PoisonValue::get(L.type(ScalarType::F16x2));
    for (unsigned e = 0; e < 2; ++e)
      packed = b.CreateInsertElement(
          packed, b.CreateFPTrunc(accumulators[2 * r + e], b.getHalfTy()), uint64_t(e));
    L.write((*d)[r], packed, ScalarType::F16x2);
  }
}

} // namespace

void registerMatrix(Registry& r) {
  r["ldmatrix"] = lowerLdmatrix;
  r["mma"] = lowerMma;
}

} // namespace drawbridge::ptx::nvvm
