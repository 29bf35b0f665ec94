// Comparisons and selects: setp set selp slct. Float comparisons keep PTX's ordered (eq, lt, ...)
// and unordered (equ, ltu, ...) forms; integer ones pick signedness from the type or the
// operator (lo/ls/hi/hs are unsigned).
#include "Common.h"

#include <array>

namespace drawbridge::ptx::nvvm {
namespace {

using Pred = llvm::CmpInst::Predicate;

struct Comparison {
  std::string_view name;
  Pred floatPred, signedPred, unsignedPred;
};

constexpr std::array<Comparison, 18> kComparisons{{
    {"eq", Pred::FCMP_OEQ, Pred::ICMP_EQ, Pred::ICMP_EQ},
    {"ne", Pred::FCMP_ONE, Pred::ICMP_NE, Pred::ICMP_NE},
    {"lt", Pred::FCMP_OLT, Pred::ICMP_SLT, Pred::ICMP_ULT},
    {"le", Pred::FCMP_OLE, Pred::ICMP_SLE, Pred::ICMP_ULE},
    {"gt", Pred::FCMP_OGT, Pred::ICMP_SGT, Pred::ICMP_UGT},
    {"ge", Pred::FCMP_OGE, Pred::ICMP_SGE, Pred::ICMP_UGE},
    {"lo", Pred::BAD_FCMP_PREDICATE, Pred::ICMP_ULT, Pred::ICMP_ULT},
    {"ls", Pred::BAD_FCMP_PREDICATE, Pred::ICMP_ULE, Pred::ICMP_ULE},
    {"hi", Pred::BAD_FCMP_PREDICATE, Pred::ICMP_UGT, Pred::ICMP_UGT},
    {"hs", Pred::BAD_FCMP_PREDICATE, Pred::ICMP_UGE, Pred::ICMP_UGE},
    {"equ", Pred::FCMP_UEQ, Pred::BAD_ICMP_PREDICATE, Pred::BAD_ICMP_PREDICATE},
    {"neu", Pred::FCMP_UNE, Pred::BAD_ICMP_PREDICATE, Pred::BAD_ICMP_PREDICATE},
    {"ltu", Pred::FCMP_ULT, Pred::BAD_ICMP_PREDICATE, Pred::BAD_ICMP_PREDICATE},
    {"leu", Pred::FCMP_ULE, Pred::BAD_ICMP_PREDICATE, Pred::BAD_ICMP_PREDICATE},
    {"gtu", Pred::FCMP_UGT, Pred::BAD_ICMP_PREDICATE, Pred::BAD_ICMP_PREDICATE},
    {"geu", Pred::FCMP_UGE, Pred::BAD_ICMP_PREDICATE, Pred::BAD_ICMP_PREDICATE},
    {"num", Pred::FCMP_ORD, Pred::BAD_ICMP_PREDICATE, Pred::BAD_ICMP_PREDICATE},
    {"nan", Pred::FCMP_UNO, Pred::BAD_ICMP_PREDICATE, Pred::BAD_ICMP_PREDICATE},
}};

// The comparison an instruction names, as an LLVM predicate for its source type.
std::optional<Pred> comparisonOf(const Instruction& inst, ScalarType source) {
  for (const auto& m : inst.modifiers)
    for (const auto& c : kComparisons)
      if (m == c.name) {
        Pred p = isFloat(source) ? c.floatPred : isSigned(source) ? c.signedPred : c.unsignedPred;
        if (p == Pred::BAD_FCMP_PREDICATE || p == Pred::BAD_ICMP_PREDICATE)
          return std::nullopt;
        return p;
      }
  return std::nullopt;
}

// The optional boolean combination (.and/.or/.xor) with a third predicate operand.
llvm::Value* combine(FunctionLowering& L, const Instruction& inst, llvm::Value* result,
                     llvm::Value* other) {
  auto& b = L.b();
  if (inst.has("and"))
    return b.CreateAnd(result, other);
  if (inst.has("or"))
    return b.CreateOr(result, other);
  if (inst.has("xor"))
    return b.CreateXor(result, other);
  return result;
}

// Compares operands [first, first+2) of a setp/set; also returns the boolean operand if any.
llvm::Value* compare(FunctionLowering& L, const Instruction& inst, size_t first, ScalarType source,
                     llvm::Value** combined) {
  auto pred = comparisonOf(inst, source);
  if (!pred) {
    L.fail(inst,
           "'" + inst.spelling() + "' needs a comparison valid for ." + std::string(name(source)));
    return nullptr;
  }
  // A packed source compares its two halves at once: a <2 x i1>, the low half first.
  auto v = readOperands(L, inst, first, 2, source);
  if (!v)
    return nullptr;
  auto& b = L.b();
  // setp.ftz flushes its inputs first: setp.ltu.ftz(-subnormal, 0) is false on NVIDIA.
  if (isFloat(source) && floatMode(inst).ftz)
    for (llvm::Value*& x : *v)
      x = flushSubnormal(L, x);
  llvm::Value* r = isFloat(source) ? b.CreateFCmp(*pred, (*v)[0], (*v)[1])
                                   : b.CreateICmp(*pred, (*v)[0], (*v)[1]);
  *combined = nullptr;
  if (inst.operands.size() > first + 2) {
    *combined = L.read(inst.operands[first + 2], ScalarType::Pred);
    if (!*combined) {
      L.fail(inst, "the boolean operand of '" + inst.spelling() + "' is not a predicate");
      return nullptr;
    }
  }
  return r;
}

void lowerSetp(FunctionLowering& L, const Instruction& inst) {
  if (!L.expectOperands(inst, 3, 4))
    return;
  auto t = instructionType(L, inst);
  if (!t)
    return;
  llvm::Value* other = nullptr;
  llvm::Value* r = compare(L, inst, 1, *t, &other);
  if (!r)
    return;
  auto& b = L.b();
  if (isPacked(*t)) {
    // setp.f16x2/.bf16x2 p|q: p from the low halves, q from the high ones.
    if (!inst.operands[0].pairedPredicate)
      return L.fail(inst, "'" + inst.spelling() + "' writes two predicates: p|q");
    for (unsigned half = 0; half < 2; ++half) {
      llvm::Value* h = b.CreateExtractElement(r, half);
      h = other ? combine(L, inst, h, other) : h;
      if (half == 0)
        L.write(inst.operands[0], h, ScalarType::Pred);
      else
        L.writePairedPredicate(inst.operands[0], h);
    }
    return;
  }
  llvm::Value* p = other ? combine(L, inst, r, other) : r;
  L.write(inst.operands[0], p, ScalarType::Pred);
  // setp d|q: q receives the complement of the comparison, combined the same way.
  if (inst.operands[0].pairedPredicate) {
    llvm::Value* q = other ? combine(L, inst, b.CreateNot(r), other) : b.CreateNot(r);
    L.writePairedPredicate(inst.operands[0], q);
  }
}

void lowerSet(FunctionLowering& L, const Instruction& inst) {
  if (!L.expectOperands(inst, 3, 4) || inst.types.size() != 2)
    return L.fail(inst, "set needs a destination and a source type");
  ScalarType dest = inst.types[0];
  llvm::Value* other = nullptr;
  llvm::Value* r = compare(L, inst, 1, inst.types[1], &other);
  if (!r)
    return;
  auto& b = L.b();
  bool packed = isPacked(inst.types[1]);
  if (packed && !isPacked(dest) && dest != ScalarType::U32 && dest != ScalarType::S32)
    return L.fail(inst, "set on packed halves writes .f16x2, .bf16x2, .u32 or .s32");
  if (other)
    r = combine(L, inst, r, packed ? b.CreateVectorSplat(2, other) : other);
  llvm::Type* t = L.type(dest);
  if (packed && !isPacked(dest)) {
    // set.{u32,s32}.f16x2: each 16-bit half of d is all ones or zero.
    llvm::Type* halves = llvm::FixedVectorType::get(b.getInt16Ty(), 2);
    r = b.CreateSExt(r, halves);
    L.write(inst.operands[0], b.CreateBitCast(r, t), dest);
    return;
  }
  llvm::Value* yes =
      isFloat(dest) ? llvm::ConstantFP::get(t, 1.0) : llvm::ConstantInt::getAllOnesValue(t);
  L.write(inst.operands[0], b.CreateSelect(r, yes, llvm::Constant::getNullValue(t)), dest);
}

void lowerSelp(FunctionLowering& L, const Instruction& inst) {
  auto s = typedSources(L, inst, 4, 2);
  llvm::Value* c = s ? L.read(inst.operands[3], ScalarType::Pred) : nullptr;
  if (!c)
    return L.fail(inst, "the selector of '" + inst.spelling() + "' is not a predicate");
  L.write(inst.operands[0], L.b().CreateSelect(c, s->values[0], s->values[1]), s->type);
}

// slct.dtype.stype d, a, b, c: d = c >= 0 ? a : b.
void lowerSlct(FunctionLowering& L, const Instruction& inst) {
  if (!L.expectOperands(inst, 4, 4) || inst.types.size() != 2)
    return L.fail(inst, "slct needs a destination and a selector type");
  ScalarType dest = inst.types[0], selector = inst.types[1];
  auto v = readOperands(L, inst, 1, 2, dest);
  auto c = v ? readOperands(L, inst, 3, 1, selector) : std::nullopt;
  if (!c)
    return;
  auto& b = L.b();
  llvm::Value* s = (*c)[0];
  if (isFloat(selector) && floatMode(inst).ftz) // a -subnormal selector is -0, so >= 0
    s = flushSubnormal(L, s);
  llvm::Value* nonNegative = isFloat(selector)
                                 ? b.CreateFCmpOGE(s, llvm::ConstantFP::get(s->getType(), 0.0))
                                 : b.CreateICmpSGE(s, llvm::ConstantInt::get(s->getType(), 0));
  L.write(inst.operands[0], b.CreateSelect(nonNegative, (*v)[0], (*v)[1]), dest);
}

// testp.op.type p, a: a floating-point class test.
void lowerTestp(FunctionLowering& L, const Instruction& inst) {
  auto s = typedSources(L, inst, 2, 1);
  if (!s)
    return;
  std::optional<llvm::FPClassTest> test;
  if (inst.has("finite"))
    test = llvm::fcFinite;
  else if (inst.has("infinite"))
    test = llvm::fcInf;
  else if (inst.has("number"))
    test = ~llvm::fcNan & llvm::fcAllFlags;
  else if (inst.has("notanumber"))
    test = llvm::fcNan;
  else if (inst.has("normal"))
    test = llvm::fcNormal;
  else if (inst.has("subnormal"))
    test = llvm::fcSubnormal;
  if (!test || !isFloat(s->type) || isPacked(s->type))
    return L.fail(inst, "testp needs a test (.finite, .infinite, .number, .notanumber, .normal, "
                        ".subnormal) and .f32 or .f64");
  L.write(inst.operands[0], L.b().createIsFPClass(s->values[0], *test), ScalarType::Pred);
}

} // namespace

void registerCompare(Registry& r) {
  r["setp"] = lowerSetp;
  r["set"] = lowerSet;
  r["selp"] = lowerSelp;
  r["slct"] = lowerSlct;
  r["testp"] = lowerTestp;
}

} // namespace drawbridge::ptx::nvvm
