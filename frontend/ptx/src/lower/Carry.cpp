// Extended-precision arithmetic: add.cc addc sub.cc subc mad.cc madc. The carry flag (CC.CF) is a
// per-function i1 slot; .cc writes it, the c-forms read it. For subtraction it holds the borrow,
// as PTX defines (subc computes a - (b + CF)).
#include "Common.h"

namespace drawbridge::ptx::nvvm {
namespace {

using namespace llvm::Intrinsic;

// a + b + carryIn (or a - b - carryIn) and whether it carried (or borrowed) out.
std::pair<llvm::Value*, llvm::Value*> withCarry(FunctionLowering& L, bool subtract, llvm::Value* a,
                                                llvm::Value* b, llvm::Value* carryIn) {
  auto& builder = L.b();
  ID op = subtract ? usub_with_overflow : uadd_with_overflow;
  llvm::Value* first = builder.CreateBinaryIntrinsic(op, a, b);
  llvm::Value* result = builder.CreateExtractValue(first, 0);
  llvm::Value* out = builder.CreateExtractValue(first, 1);
  if (carryIn) {
    llvm::Value* second =
        builder.CreateBinaryIntrinsic(op, result, builder.CreateZExt(carryIn, a->getType()));
    result = builder.CreateExtractValue(second, 0);
    out = builder.CreateOr(out, builder.CreateExtractValue(second, 1));
  }
  return {result, out};
}

} // namespace

void lowerCarry(FunctionLowering& L, const Instruction& inst) {
  bool isMad = inst.opcode == "mad" || inst.opcode == "madc";
  bool subtract = inst.opcode == "sub" || inst.opcode == "subc";
  bool readsCarry = inst.opcode == "addc" || inst.opcode == "subc" || inst.opcode == "madc";
  auto s = typedSources(L, inst, isMad ? 4 : 3, isMad ? 3 : 2);
  if (!s)
    return;
  if (isFloat(s->type) || bitWidth(s->type) < 32)
    return L.fail(inst, "'" + inst.spelling() + "' works on 32- and 64-bit integers");
  auto& b = L.b();
  llvm::Value* x = s->values[0];
  llvm::Value* y = s->values[1];
  if (isMad) {
    // mad{c}.lo/.hi: the chosen half of a * b, then the addend with carry.
    if (inst.has("hi")) {
      unsigned bits = bitWidth(s->type);
      llvm::Type* wide = L.intType(2 * bits);
      bool sign = isSigned(s->type);
      llvm::Value* product =
          b.CreateMul(b.CreateIntCast(x, wide, sign), b.CreateIntCast(y, wide, sign));
      x = b.CreateTrunc(b.CreateLShr(product, bits), x->getType());
    } else {
      x = b.CreateMul(x, y);
    }
    y = s->values[2];
  }
  llvm::AllocaInst* flag = L.carrySlot();
  llvm::Value* carryIn = readsCarry ? b.CreateLoad(b.getInt1Ty(), flag) : nullptr;
  auto [result, carryOut] = withCarry(L, subtract, x, y, carryIn);
  if (inst.has("cc"))
    b.CreateStore(carryOut, flag);
  L.write(inst.operands[0], result, s->type);
}

void registerCarry(Registry& r) {
  r["addc"] = lowerCarry;
  r["subc"] = lowerCarry;
  r["madc"] = lowerCarry;
}

} // namespace drawbridge::ptx::nvvm
