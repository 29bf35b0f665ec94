// Tensor-core warp instructions by exact scalar emulation, with the fragment layouts of the PTX
// ISA ("Matrix fragments for mma.m16n8k16 / m16n8k8", "ldmatrix"). Lanes exchange what they hold
// with shfl.sync.idx, the warp collective every backend already runs: ldmatrix swaps row
// addresses, then each lane loads its own elements; mma runs one tile of MmaTile.h.
#include "Common.h"
#include "MmaTile.h"

namespace drawbridge::ptx::nvvm {
namespace {

// A 64-bit value from another lane, as two 32-bit shuffles.
llvm::Value* fromLane64(FunctionLowering& L, llvm::Value* value, llvm::Value* source) {
  auto& b = L.b();
  llvm::Value* lo = fromLane(L, b.CreateTrunc(value, b.getInt32Ty()), source);
  llvm::Value* hi = fromLane(L, b.CreateTrunc(b.CreateLShr(value, 32), b.getInt32Ty()), source);
  return b.CreateOr(b.CreateZExt(lo, b.getInt64Ty()),
                    b.CreateShl(b.CreateZExt(hi, b.getInt64Ty()), 32));
}

// ldmatrix.sync.aligned.m8n8.{x1,x2,x4}{.trans}{.shared}.b16 d, [p] and stmatrix (the same with
// the operands swapped: [p], r): lanes 8j..8j+7 give the row addresses of matrix j; lane l holds
// row l/4, columns 2(l%4) and 2(l%4)+1 of each matrix (of its transpose with .trans), the lower
// column in the low half. ldmatrix loads what it holds, stmatrix stores it.
void lowerMatrixMove(FunctionLowering& L, const Instruction& inst) {
  bool store = inst.opcode == "stmatrix";
  if (!inst.has("m8n8") || !inst.has("b16"))
    return L.unsupported(inst, inst.opcode + " is supported for .m8n8 with .b16 elements");
  unsigned matrices = inst.has("x1") ? 1 : inst.has("x2") ? 2 : inst.has("x4") ? 4 : 0;
  if (!matrices)
    return L.fail(inst, inst.opcode + " needs a matrix count: .x1, .x2 or .x4");
  if (!L.expectOperands(inst, 2, 2))
    return;
  const Operand& addressOperand = inst.operands[store ? 0 : 1];
  if (addressOperand.kind != Operand::Kind::Address)
    return L.fail(inst, "'" + inst.spelling() + "' needs an address in brackets");
  const Operand& fragment = inst.operands[store ? 1 : 0];
  if (!(fragment.kind == Operand::Kind::Register && matrices == 1) &&
      !registerList(L, inst, store ? 1 : 0, matrices, store ? "the source" : "the destination"))
    return;
  auto element = [&](unsigned j) -> const Operand& {
    return fragment.kind == Operand::Kind::Vector ? fragment.elements[j] : fragment;
  };
  llvm::Value* pointer = L.address(addressOperand, inst.space);
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
  // Loads or stores `value` (of `type`) at `byteOffset` in the row whose address lane `source`
  // holds.
  auto access = [&](llvm::Type* type, llvm::Value* source, llvm::Value* byteOffset,
                    llvm::Value* value) -> llvm::Value* {
    llvm::Value* row = fromLane64(L, own, source);
    llvm::Value* at = b.CreateIntToPtr(b.CreateAdd(row, byteOffset), pointerType);
    llvm::Align align(type->getPrimitiveSizeInBits() / 8);
    if (store)
      return b.CreateAlignedStore(value, at, align);
    return b.CreateAlignedLoad(type, at, align);
  };
  for (unsigned j = 0; j < matrices; ++j) {
    llvm::Value* first = b.getInt32(8 * j);
    llvm::Value* held = store ? L.read(element(j), ScalarType::B32) : nullptr;
    if (store && !held)
      return L.fail(inst, "the registers of '" + inst.spelling() + "' cannot be read");
    if (!transposed) {
      // Row l/4; both columns are adjacent, one 32-bit access.
      llvm::Value* r = access(b.getInt32Ty(), b.CreateAdd(first, quad),
                              b.CreateZExt(b.CreateShl(pairIndex, 2), b.getInt64Ty()), held);
      if (!store)
        L.write(element(j), r, ScalarType::B32);
      continue;
    }
    // Element (r, c) of the transpose is element (c, r): rows 2(l%4) and 2(l%4)+1, column l/4.
    llvm::Value* column = b.CreateZExt(b.CreateShl(quad, 1), b.getInt64Ty());
    llvm::Value* loRow = b.CreateAdd(first, pairRow);
    auto hiRow = [&] { return b.CreateAdd(first, b.CreateOr(pairRow, b.getInt32(1))); };
    if (store) {
      access(b.getInt16Ty(), loRow, column, b.CreateTrunc(held, b.getInt16Ty()));
      access(b.getInt16Ty(), hiRow(), column,
             b.CreateTrunc(b.CreateLShr(held, 16), b.getInt16Ty()));
      continue;
    }
    llvm::Value* lo = access(b.getInt16Ty(), loRow, column, nullptr);
    llvm::Value* hi = access(b.getInt16Ty(), hiRow(), column, nullptr);
    L.write(element(j),
            b.CreateOr(b.CreateZExt(lo, b.getInt32Ty()),
                       b.CreateShl(b.CreateZExt(hi, b.getInt32Ty()), 16)),
            ScalarType::B32);
  }
}

// movmatrix.sync.aligned.m8n8.trans.b16 d, a: the transpose of the 8x8 matrix the warp holds in
// ldmatrix's layout. Lane l's new elements (l/4, 2(l%4) + e) are the old (2(l%4) + e, l/4): in
// lane 4(2(l%4) + e) + l/8, in its low half when l/4 is even.
void lowerMovmatrix(FunctionLowering& L, const Instruction& inst) {
  if (!inst.has("m8n8") || !inst.has("trans") || !inst.has("b16"))
    return L.unsupported(inst, "movmatrix is supported as movmatrix.sync.aligned.m8n8.trans.b16");
  if (!L.expectOperands(inst, 2, 2))
    return;
  auto v = readOperands(L, inst, 1, 1, ScalarType::B32);
  if (!v)
    return;
  auto& b = L.b();
  llvm::Value* lane = laneId(L);
  llvm::Value* row = b.CreateLShr(lane, 2);
  llvm::Value* halfShift = b.CreateShl(b.CreateAnd(row, 1), 4); // 16 when l/4 is odd
  llvm::Value* result = b.getInt32(0);
  for (unsigned e = 0; e < 2; ++e) {
    llvm::Value* oldRow = b.CreateOr(b.CreateShl(b.CreateAnd(lane, 3), 1), b.getInt32(e));
    llvm::Value* source = b.CreateAdd(b.CreateShl(oldRow, 2), b.CreateLShr(lane, 3));
    llvm::Value* element =
        b.CreateAnd(b.CreateLShr(fromLane(L, (*v)[0], source), halfShift), 0xffff);
    result = b.CreateOr(result, b.CreateShl(element, 16 * e));
  }
  L.write(inst.operands[0], result, ScalarType::B32);
}

constexpr std::string_view kMmaForms =
    "mma is supported as mma.sync.aligned.row.col with f16 or bf16 inputs (m16n8k16, m16n8k8; f32 "
    "or, for f16, f16 accumulators), tf32 inputs (m16n8k8, m16n8k4; f32 accumulators), s8/u8 "
    "inputs (m16n8k32, m16n8k16, m8n8k16) or s4/u4 inputs (m16n8k64, m16n8k32, m8n8k32) or b1 "
    "inputs with .and.popc or .xor.popc (m16n8k256, m16n8k128, m8n8k128), and s32 accumulators";

std::optional<MmaShape> floatMmaShape(const Instruction& inst) {
  const auto& t = inst.types; // d, a, b, c
  if (t.size() != 4 || t[1] != t[2])
    return std::nullopt;
  if (t[1] == ScalarType::TF32) {
    unsigned k = inst.has("m16n8k8") ? 8 : inst.has("m16n8k4") ? 4 : 0;
    if (!k || t[0] != ScalarType::F32 || t[3] != ScalarType::F32)
      return std::nullopt;
    return MmaShape{16, k, 32, false, t[1], false, false, false, false, false};
  }
  unsigned k = inst.has("m16n8k16") ? 16 : inst.has("m16n8k8") ? 8 : 0;
  bool typesOk = (t[1] == ScalarType::F16 || t[1] == ScalarType::BF16) &&
                 (t[0] == ScalarType::F32 || t[0] == ScalarType::F16) &&
                 (t[3] == ScalarType::F32 || t[3] == ScalarType::F16) &&
                 (t[1] == ScalarType::F16 || (t[0] == ScalarType::F32 && t[3] == ScalarType::F32));
  if (!k || !typesOk)
    return std::nullopt;
  return MmaShape{
      16,   k, 16, false, t[1], false, false, t[3] == ScalarType::F16, t[0] == ScalarType::F16,
      false};
}

// .s32.{s8,u8}.{s8,u8}.s32 (types d, a, b, c), .s32.{s4,u4}.{s4,u4}.s32 or
// .s32.b1.b1.s32.{and,xor}.popc (the 4- and 1-bit types are not scalar types: they stay
// modifiers).
std::optional<MmaShape> integerMmaShape(const Instruction& inst) {
  const auto& t = inst.types;
  if (t.empty() || t.front() != ScalarType::S32 || t.back() != ScalarType::S32)
    return std::nullopt;
  MmaShape shape{0, 0, 8, true, ScalarType::S32, false, false, false, false, inst.has("satfinite")};
  auto isByte = [](ScalarType x) { return x == ScalarType::S8 || x == ScalarType::U8; };
  if (t.size() == 4 && isByte(t[1]) && isByte(t[2])) {
    shape.aSigned = t[1] == ScalarType::S8, shape.bSigned = t[2] == ScalarType::S8;
  } else if (t.size() == 2 && (inst.has("s4") || inst.has("u4"))) {
    // A's type is the first of the two 4-bit modifiers, B's the second (the ISA lets them
    // differ: .s4.u4 multiplies signed by unsigned elements).
    std::vector<bool> signedness;
    for (const auto& modifier : inst.modifiers)
      if (modifier == "s4" || modifier == "u4")
        signedness.push_back(modifier == "s4");
    if (signedness.size() != 2)
      return std::nullopt;
    shape.elementBits = 4;
    shape.aSigned = signedness[0], shape.bSigned = signedness[1];
  } else if (t.size() == 2 && inst.has("b1") && inst.has("popc") &&
             (inst.has("and") || inst.has("xor"))) {
    shape.elementBits = 1;
    shape.product = inst.has("and") ? MmaShape::Product::And : MmaShape::Product::Xor;
  } else {
    return std::nullopt;
  }
  // K is 16 or 32 bytes' worth per row for m16n8, 16 bytes' worth for m8n8.
  unsigned unit = 8 / shape.elementBits; // elements per byte
  for (unsigned k : {16 * unit, 32 * unit}) {
    std::string m16 = "m16n8k" + std::to_string(k);
    if (inst.has(m16))
      shape.m = 16, shape.k = k;
  }
  if (inst.has("m8n8k" + std::to_string(16 * unit)))
    shape.m = 8, shape.k = 16 * unit;
  if (!shape.m)
    return std::nullopt;
  return shape;
}

std::optional<MmaShape> mmaShape(FunctionLowering& L, const Instruction& inst) {
  auto shape = floatMmaShape(inst);
  if (!shape)
    shape = integerMmaShape(inst);
  if (!shape || !inst.has("row") || !inst.has("col") || !inst.has("sync") || !inst.has("aligned")) {
    L.unsupported(inst, std::string(kMmaForms));
    return std::nullopt;
  }
  return shape;
}

// mma.sync.aligned.shape.row.col.dtype.atype.btype.ctype d, a, b, c: one tile (MmaTile.h), C
// and D as f16x2 pairs or one f32/s32 element per register.
void lowerMma(FunctionLowering& L, const Instruction& inst) {
  auto shape = mmaShape(L, inst);
  if (!shape || !L.expectOperands(inst, 4, 4))
    return;
  unsigned outputs = shape->outputs();
  unsigned cRegs = shape->halfAccumulator ? outputs / 2 : outputs;
  unsigned dRegs = shape->halfResult ? outputs / 2 : outputs;
  auto* d = registerList(L, inst, 0, dRegs, "D");
  auto* a = d ? registerList(L, inst, 1, shape->aRegisters(), "A") : nullptr;
  auto* bList = a ? registerList(L, inst, 2, shape->bRegisters(), "B") : nullptr;
  auto* c = bList ? registerList(L, inst, 3, cRegs, "C") : nullptr;
  if (!c)
    return;
  auto readAll = [&](const std::vector<Operand>& regs, ScalarType as) {
    std::vector<llvm::Value*> values;
    for (const auto& r : regs)
      values.push_back(L.read(r, as));
    return values;
  };
  ScalarType accumulator = shape->integer           ? ScalarType::S32
                           : shape->halfAccumulator ? ScalarType::B32
                                                    : ScalarType::F32;
  auto aBits = readAll(*a, ScalarType::B32), bBits = readAll(*bList, ScalarType::B32);
  auto cValues = readAll(*c, accumulator);
  for (const auto* values : {&aBits, &bBits, &cValues})
    for (llvm::Value* v : *values)
      if (!v)
        return L.fail(inst, "the operands of '" + inst.spelling() + "' cannot be read");

  std::vector<llvm::Value*> accumulators;
  for (unsigned i = 0; i < outputs; ++i)
    accumulators.push_back(shape->halfAccumulator
                               ? unpackHalves(L, cValues[i / 2], ScalarType::F16)[i % 2]
                               : cValues[i]);
  auto results = multiplyTile(L, *shape, gatherRows(L, *shape, aBits),
                              gatherColumns(L, *shape, bBits), std::move(accumulators));
  if (!shape->halfResult) {
    for (unsigned i = 0; i < outputs; ++i)
      L.write((*d)[i], results[i], shape->integer ? ScalarType::S32 : ScalarType::F32);
    return;
  }
  for (unsigned r = 0; r < dRegs; ++r)
    L.write((*d)[r], packHalves(L, results[2 * r], results[2 * r + 1]), ScalarType::F16x2);
}

} // namespace

void registerMatrix(Registry& r) {
  r["ldmatrix"] = lowerMatrixMove;
  r["stmatrix"] = lowerMatrixMove;
  r["movmatrix"] = lowerMovmatrix;
  r["mma"] = lowerMma;
}

} // namespace drawbridge::ptx::nvvm
