// Integer dot products: dp4a (four bytes of a times four bytes of b) and dp2a (two 16-bit halves
// of a times two bytes of b, the low or high pair), accumulated onto c, each part extended by its
// operand's signedness.
#include "Common.h"

namespace drawbridge::ptx::nvvm {
namespace {

// Part `index` of `value`, `bits` wide, extended to 32 bits.
llvm::Value* part(FunctionLowering& L, llvm::Value* value, unsigned index, unsigned bits,
                  bool sign) {
  auto& b = L.b();
  llvm::Value* piece = b.CreateTrunc(b.CreateLShr(value, index * bits), L.intType(bits));
  return b.CreateIntCast(piece, b.getInt32Ty(), sign);
}

void lowerDot(FunctionLowering& L, const Instruction& inst) {
  if (!L.expectOperands(inst, 4, 4))
    return;
  if (inst.types.size() != 2)
    return L.fail(inst, "'" + inst.spelling() + "' needs the types of a and b (.u32 or .s32)");
  bool signA = isSigned(inst.types[0]), signB = isSigned(inst.types[1]);
  ScalarType result = signA || signB ? ScalarType::S32 : ScalarType::U32;
  auto v = readOperands(L, inst, 1, 3, ScalarType::B32);
  if (!v)
    return;
  auto& b = L.b();
  bool isDp4 = inst.opcode == "dp4a";
  if (!isDp4 && !inst.has("lo") && !inst.has("hi"))
    return L.fail(inst, "dp2a needs .lo or .hi");
  unsigned firstByte = !isDp4 && inst.has("hi") ? 2 : 0;
  llvm::Value* sum = (*v)[2];
  for (unsigned i = 0; i < (isDp4 ? 4u : 2u); ++i) {
    llvm::Value* x = part(L, (*v)[0], i, isDp4 ? 8 : 16, signA);
    llvm::Value* y = part(L, (*v)[1], firstByte + i, 8, signB);
    sum = b.CreateAdd(sum, b.CreateMul(x, y));
  }
  L.write(inst.operands[0], sum, result);
}

} // namespace

void registerDotProduct(Registry& r) {
  r["dp4a"] = lowerDot;
  r["dp2a"] = lowerDot;
}

} // namespace drawbridge::ptx::nvvm
